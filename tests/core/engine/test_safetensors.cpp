// Safetensors: round trips, dtype conversion, sharded checkpoints, and a clear error (naming file and
// tensor) for every kind of malformed file.
#include <ATen/ATen.h>

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "core/io/safetensors_format.h"
#include "core/io/safetensors_writer.h"
#include "core/io/weight_store.h"
#include "core/util/error.h"

using namespace sightline;

namespace {

// Writes an arbitrary header (with an optional forced length field) followed by `data_bytes` bytes.
void write_raw(const std::string& path, const std::string& header, std::size_t data_bytes,
               std::int64_t length_field = -1) {
    std::ofstream out(path, std::ios::binary);
    const std::uint64_t n = length_field >= 0 ? static_cast<std::uint64_t>(length_field) : header.size();
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
    out << header;
    for (std::size_t i = 0; i < data_bytes; ++i) out.put(static_cast<char>(i & 0x7f));
}

std::string expect_error(const std::string& path) {
    try {
        SafetensorsFile::open(path);
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

}  // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::string path(const char* name) { return (tmp_.path() + "/" + name).toStdString(); }

  private Q_SLOTS:
    void malformed_data();
    void malformed();
    void truncated_data_is_reported();
    void round_trip_and_conversion();
    void f16_converted_at_load();
    void unaligned_data_is_copied();
    void zero_copy_aliases_the_mapping();
    void sharded_index();
    void sharded_index_errors();
};

void TestSafetensors::malformed_data() {
    QTest::addColumn<QString>("header");
    QTest::addColumn<int>("data");
    QTest::addColumn<qint64>("length_field");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("tensor");
    const QString ok_entry = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
    QTest::newRow("header length over limit") << "{}" << 0 << qint64(200'000'000) << "exceeds the limit"
                                              << "";
    QTest::newRow("header length past EOF") << "{}" << 0 << qint64(5000) << "runs past the end"
                                            << "";
    QTest::newRow("not JSON") << "{not json" << 0 << qint64(-1) << "not valid JSON"
                              << "";
    QTest::newRow("not an object") << "[1,2,3]" << 0 << qint64(-1) << "not a JSON object"
                                   << "";
    QTest::newRow("unknown dtype") << R"({"a":{"dtype":"F12","shape":[2],"data_offsets":[0,8]}})" << 8
                                   << qint64(-1) << "unknown dtype"
                                   << "a";
    QTest::newRow("length vs dtype x shape") << R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})"
                                             << 8 << qint64(-1) << "does not match dtype"
                                             << "w";
    QTest::newRow("overlap") << "{" + ok_entry + R"(,"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})"
                             << 12 << qint64(-1) << "overlaps"
                             << "b";
    QTest::newRow("gap") << "{" + ok_entry + R"(,"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}})"
                         << 16 << qint64(-1) << "gap of 4 bytes"
                         << "b";
    QTest::newRow("exceeds buffer") << "{" + ok_entry +
                                           R"(,"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})"
                                    << 12 << qint64(-1) << "exceed the data buffer"
                                    << "b";
    QTest::newRow("trailing bytes") << "{" + ok_entry + "}" << 20 << qint64(-1) << "trailing bytes"
                                    << "";
    QTest::newRow("duplicate names") << "{" + ok_entry + "," + ok_entry + "}" << 8 << qint64(-1)
                                     << "more than once"
                                     << "a";
    QTest::newRow("negative shape") << R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})" << 8
                                    << qint64(-1) << "non-negative integer"
                                    << "a";
    QTest::newRow("offsets not a pair") << R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})" << 8
                                        << qint64(-1) << "data_offsets must be"
                                        << "a";
    QTest::newRow("end before begin") << R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})" << 8
                                      << qint64(-1) << "end before begin"
                                      << "a";
    QTest::newRow("entry not an object") << R"({"a":[1,2]})" << 0 << qint64(-1) << "not an object"
                                         << "a";
    QTest::newRow("bad metadata") << R"({"__metadata__":{"k":3}})" << 0 << qint64(-1) << "not a string"
                                  << "";
    QTest::newRow("empty header") << "" << 0 << qint64(-1) << "header is empty"
                                  << "";
}

void TestSafetensors::malformed() {
    QFETCH(QString, header);
    QFETCH(int, data);
    QFETCH(qint64, length_field);
    QFETCH(QString, message);
    QFETCH(QString, tensor);
    const std::string p = path("bad.safetensors");
    write_raw(p, header.toStdString(), static_cast<std::size_t>(data), length_field);
    const QString err = QString::fromStdString(expect_error(p));
    QVERIFY2(!err.isEmpty(), "malformed file was accepted");
    QVERIFY2(err.contains(message), qPrintable(err));
    QVERIFY2(err.contains(QString::fromStdString(p)), qPrintable("error does not name the file: " + err));
    if (!tensor.isEmpty())
        QVERIFY2(err.contains("'" + tensor + "'"), qPrintable("error does not name the tensor: " + err));
}

void TestSafetensors::truncated_data_is_reported() {
    const std::string good = path("good.safetensors");
    write_safetensors(good, {{"x", at::arange(100, at::kFloat)}});
    std::ifstream in(good, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    for (const std::size_t keep :
         {std::size_t{0}, std::size_t{5}, std::size_t{7}, bytes.size() / 2, bytes.size() - 1}) {
        const std::string p = path("cut.safetensors");
        std::ofstream(p, std::ios::binary | std::ios::trunc)
            .write(bytes.data(), static_cast<std::streamsize>(keep));
        const std::string err = expect_error(p);
        QVERIFY2(!err.empty(), qPrintable(QString("truncation to %1 bytes was accepted").arg(keep)));
        QVERIFY(err.find(p) != std::string::npos);
    }
    QVERIFY(expect_error(path("does-not-exist.safetensors")).find("cannot open") != std::string::npos);
}

void TestSafetensors::round_trip_and_conversion() {
    const std::string p = path("rt.safetensors");
    const at::Tensor f = at::randn({3, 5});
    const at::Tensor i = at::arange(7, at::kLong);
    const at::Tensor b = at::randn({4}).to(at::kBFloat16);
    const at::Tensor u = at::tensor({1, 2, 250}, at::kByte);
    write_safetensors(p, {{"f", f}, {"i", i}, {"b", b}, {"u", u}, {"empty", at::zeros({0, 3})}},
                      {{"format", "pt"}});
    const auto file = SafetensorsFile::open(p);
    QCOMPARE(file->tensors().size(), std::size_t{5});
    QCOMPARE(file->metadata().at("format"), std::string("pt"));
    QCOMPARE(std::string(dtype_name(file->find("b")->dtype)), std::string("BF16"));

    const WeightStore f32 = WeightStore::load_files({p}, ComputeDType::F32);
    QVERIFY(at::equal(f32.get("f"), f));
    QVERIFY(at::equal(f32.get("i"), i));  // integers keep their dtype
    QVERIFY(at::equal(f32.get("u"), u));
    QCOMPARE(f32.get("b").scalar_type(), at::kFloat);
    QVERIFY(at::equal(f32.get("b"), b.to(at::kFloat)));
    QCOMPARE(f32.get("empty").sizes().vec(), (std::vector<std::int64_t>{0, 3}));
    const WeightStore bf = WeightStore::load_files({p}, ComputeDType::BF16);
    QCOMPARE(bf.get("f").scalar_type(), at::kBFloat16);
    QVERIFY(at::equal(bf.get("f"), f.to(at::kBFloat16)));
    try {
        f32.get("nope");
        QFAIL("missing tensor not reported");
    } catch (const Error& e) {
        QVERIFY(QString(e.what()).contains("'nope'"));
    }
}

void TestSafetensors::f16_converted_at_load() {
    const std::string p = path("half.safetensors");
    const at::Tensor h = at::randn({4, 4}).to(at::kHalf);
    write_safetensors(p, {{"h", h}});
    const WeightStore s = WeightStore::load_files({p}, ComputeDType::F32);
    QCOMPARE(s.get("h").scalar_type(), at::kFloat);
    QVERIFY(at::equal(s.get("h"), h.to(at::kFloat)));
    const WeightStore s2 = WeightStore::load_files({p}, ComputeDType::BF16);
    QCOMPARE(s2.get("h").scalar_type(), at::kBFloat16);
    // The converted tensor computes (F16 itself cannot on CPU in LibTorch 1.13).
    QVERIFY(at::matmul(s2.get("h"), s2.get("h")).defined());
}

void TestSafetensors::unaligned_data_is_copied() {
    // A header whose length is not a multiple of 4 puts the F32 data at an unaligned address.
    const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";  // 55 bytes
    QVERIFY((8 + header.size()) % 4 != 0);
    const std::string p = path("unaligned.safetensors");
    {
        std::ofstream out(p, std::ios::binary);
        const std::uint64_t n = header.size();
        for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
        out << header;
        const float vals[2] = {1.5f, -2.25f};
        out.write(reinterpret_cast<const char*>(vals), sizeof vals);
    }
    const WeightStore s = WeightStore::load_files({p}, ComputeDType::F32);
    QCOMPARE(s.get("a")[0].item<float>(), 1.5f);
    QCOMPARE(s.get("a")[1].item<float>(), -2.25f);
}

void TestSafetensors::zero_copy_aliases_the_mapping() {
    const std::string p = path("alias.safetensors");
    write_safetensors(p, {{"w", at::ones({16})}});
    at::Tensor w;
    {
        const WeightStore s = WeightStore::load_files({p}, ComputeDType::F32);
        w = s.get("w");
    }
    // The store is gone; the tensor keeps the mapping alive and stays readable.
    QCOMPARE(w.sum().item<float>(), 16.0f);
}

void TestSafetensors::sharded_index() {
    const QString dir = tmp_.path() + "/sharded";
    QDir().mkpath(dir);
    const std::string d = dir.toStdString();
    write_safetensors(d + "/model-00001-of-00002.safetensors", {{"a", at::ones({2})}});
    write_safetensors(d + "/model-00002-of-00002.safetensors", {{"b", at::zeros({3})}});
    std::ofstream(d + "/model.safetensors.index.json")
        << R"({"metadata":{},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})";
    const WeightStore s = WeightStore::load_dir(d, ComputeDType::F32);
    QCOMPARE(s.tensors().size(), std::size_t{2});
    QVERIFY(s.source_of("b").find("00002") != std::string::npos);
}

void TestSafetensors::sharded_index_errors() {
    const std::string d = (tmp_.path() + "/sharded_bad").toStdString();
    QDir().mkpath(QString::fromStdString(d));
    write_safetensors(d + "/s1.safetensors", {{"a", at::ones({2})}});
    write_safetensors(d + "/s2.safetensors", {{"a", at::ones({2})}});
    auto load_error = [&](const std::string& index) -> std::string {
        std::ofstream(d + "/model.safetensors.index.json", std::ios::trunc) << index;
        try {
            WeightStore::load_dir(d, ComputeDType::F32);
        } catch (const Error& e) {
            return e.what();
        }
        return {};
    };
    QVERIFY(
        load_error(R"({"weight_map":{"a":"missing.safetensors"}})").find("missing.safetensors is missing") !=
        std::string::npos);
    QVERIFY(load_error(R"({"weight_map":{"a":"s1.safetensors","b":"s1.safetensors"}})").find("'b'") !=
            std::string::npos);
    QVERIFY(
        load_error(R"({"weight_map":{"a":"s1.safetensors","x":"s2.safetensors"}})").find("also appears") !=
        std::string::npos);
    QVERIFY(load_error("not json").find("not valid JSON") != std::string::npos);
    QVERIFY(load_error(R"({"weight_map":{"a":"../etc/passwd"}})").find("invalid file") != std::string::npos);
}

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
