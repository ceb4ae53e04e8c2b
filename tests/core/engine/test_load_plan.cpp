// Loading at scale: the automatic compute dtype, the plan read from headers alone, and the peak resident
// memory of a shard-by-shard load of a ~1 GB F16 checkpoint converted to bfloat16 (converted weights plus
// one read buffer, not plus the mapped shards).
#include <ATen/ATen.h>

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "core/io/safetensors_writer.h"
#include "core/io/weight_store.h"
#include "core/model/load_plan.h"
#include "core/model/loaded_model.h"
#include "core/util/error.h"
#include "core/util/system_info.h"
#include "tests/support/tiny_models.h"

using namespace sightline;

namespace {

LoadPlan plan(std::int64_t params, bool stored_16bit, bool cpu_bf16, std::uint64_t available) {
    LoadPlan p;
    p.parameters = params;
    p.stored_16bit = stored_16bit;
    p.cpu_bf16 = cpu_bf16;
    p.weights_f32 = static_cast<std::uint64_t>(params) * 4;
    p.weights_bf16 = static_cast<std::uint64_t>(params) * 2;
    p.runtime_bytes = 1ull << 30;
    p.available = available;
    return p;
}

// VmHWM back to the current RSS (Linux >= 4.0), so the next peak belongs to what follows.
bool reset_peak_rss() {
    std::ofstream f("/proc/self/clear_refs");
    f << "5";
    return static_cast<bool>(f);
}

}  // namespace

class TestLoadPlan : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

  private Q_SLOTS:
    void automatic_dtype_choice_data() {
        QTest::addColumn<qint64>("params");
        QTest::addColumn<bool>("stored_16bit");
        QTest::addColumn<bool>("cpu_bf16");
        QTest::addColumn<double>("available_gib");
        QTest::addColumn<QString>("expected");
        QTest::newRow("7B F16 on a BF16 CPU") << qint64{7'000'000'000} << true << true << 64.0 << "bf16";
        QTest::newRow("7B F16, no BF16 instructions, f32 fits")
            << qint64{7'000'000'000} << true << false << 64.0 << "f32";
        QTest::newRow("7B F16, f32 does not fit") << qint64{7'000'000'000} << true << false << 23.0 << "bf16";
        QTest::newRow("7B stored in f32, fits") << qint64{7'000'000'000} << false << true << 64.0 << "f32";
        QTest::newRow("0.5B F16 on a BF16 CPU (small: exact)")
            << qint64{500'000'000} << true << true << 64.0 << "f32";
        QTest::newRow("unknown available memory") << qint64{500'000'000} << true << true << 0.0 << "f32";
    }
    void automatic_dtype_choice() {
        QFETCH(qint64, params);
        QFETCH(bool, stored_16bit);
        QFETCH(bool, cpu_bf16);
        QFETCH(double, available_gib);
        QFETCH(QString, expected);
        LoadPlan p =
            plan(params, stored_16bit, cpu_bf16, static_cast<std::uint64_t>(available_gib * (1ull << 30)));
        QCOMPARE(QString(to_string(choose_dtype(p))), expected);
        QVERIFY(!p.reason.empty());
        QVERIFY(p.describe().find(p.reason) != std::string::npos);
    }

    void plan_reads_headers_and_load_follows_it() {
        test::TinySpec spec;
        spec.shards = 2;
        const std::string dir = test::write_tiny_model((tmp_.path() + "/tiny").toStdString(), spec);
        const LoadPlan p = plan_load(dir);
        QCOMPARE(p.stored_dtypes, std::string("F32"));
        QCOMPARE(p.recommended, ComputeDType::F32);
        auto m = load_model(dir);  // no dtype: the automatic choice
        QCOMPARE(m->model->dtype(), ComputeDType::F32);
        QCOMPARE(p.parameters, m->model->parameter_count());
        QCOMPARE(m->dtype_reason, p.reason);
        LoadOptions o;
        o.dtype = ComputeDType::BF16;
        QCOMPARE(load_model(dir, o)->dtype_reason, std::string("asked for"));
    }

    void shard_by_shard_peak_memory() {
        // Two shards of 4 x 64M F16 elements (1 GiB in all) -> 1 GiB of bfloat16.
        const std::int64_t n = 64ll << 20;
        std::vector<std::string> files;
        for (int shard = 0; shard < 2; ++shard) {
            NamedTensors ts;
            for (int k = 0; k < 4; ++k)
                ts.emplace_back("w" + std::to_string(shard * 4 + k),
                                at::full({n}, 0.5 + shard * 4 + k, at::TensorOptions().dtype(at::kHalf)));
            files.push_back((tmp_.path() + "/shard" + QString::number(shard) + ".safetensors").toStdString());
            write_safetensors(files.back(), ts);
        }
        const std::uint64_t converted = 8ull * n * 2;
        if (available_memory_bytes() < 3 * converted) QSKIP("not enough free memory for this test");
        if (!reset_peak_rss()) QSKIP("/proc/self/clear_refs is not writable here");
        const std::uint64_t before = current_rss_bytes();
        std::vector<Progress> seen;
        const JobControl control(nullptr, [&](const Progress& p) { seen.push_back(p); });
        const WeightStore store = WeightStore::load_files(files, ComputeDType::BF16, &control);
        const std::uint64_t peak = peak_rss_bytes() - before;
        qInfo("peak %.0f MiB above the start for %.0f MiB of converted weights",
              static_cast<double>(peak) / (1 << 20), static_cast<double>(converted) / (1 << 20));
        // Mapped shards kept resident would add another 1 GiB; allow the read buffer and slack.
        QVERIFY2(peak < converted + (160ull << 20), "the shards' pages stayed resident");
        QVERIFY(peak >= converted - (64ull << 20));
        for (int k = 0; k < 8; ++k) {
            const at::Tensor& t = store.get("w" + std::to_string(k));
            QCOMPARE(t.scalar_type(), at::kBFloat16);
            QCOMPARE(t[n - 1].item<float>(), static_cast<float>(0.5 + k));
        }
        QVERIFY(!seen.empty());
        QCOMPARE(seen.back().done, seen.back().total);
    }

    void load_can_be_cancelled_between_tensors() {
        test::TinySpec spec;
        const std::string dir = test::write_tiny_model((tmp_.path() + "/c").toStdString(), spec);
        std::atomic<bool> cancel{true};
        const JobControl control(&cancel, nullptr);
        LoadOptions o;
        o.control = &control;
        QVERIFY_THROWS_EXCEPTION(CancelledError, load_model(dir, o));
    }
};

QTEST_APPLESS_MAIN(TestLoadPlan)
#include "test_load_plan.moc"
