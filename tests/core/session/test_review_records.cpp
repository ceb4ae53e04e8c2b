// Trustworthy review records (issue 21, item 5): SHA-256 against the FIPS 180-4 examples, the model
// folder's identity (which files, cached digests, any changed byte changes it), and sessions that carry
// the image's SHA-256, the model identity, the software version and the reviewer, refusing an image
// whose pixels no longer match.
#include <sys/stat.h>
#include <utime.h>

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <opencv2/core.hpp>

#include "core/explore/explorer.h"
#include "core/model/model_identity.h"
#include "core/session/session.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/sha256.h"
#include "core/util/strings.h"
#include "core/util/version.h"
#include "tests/support/tiny_models.h"

using namespace sightline;
using nlohmann::json;

namespace {

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

json read_json(const std::string& path) {
    return json::parse(read_regular_file(path, kMaxTextFileBytes, "test file"));
}

}  // namespace

class TestReviewRecords : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::string tiny_;

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        tiny_ = test::write_tiny_model(tmp_.path().toStdString() + "/tiny", test::TinySpec{});
    }

    void sha256_matches_the_standard_examples() {
        QCOMPARE(sha256_hex(""),
                 std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(sha256_hex("abc"),
                 std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                 std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        // One million 'a' fed in uneven pieces (block boundaries crossed at every offset).
        Sha256 h;
        const std::string a(1000, 'a');
        std::size_t fed = 0;
        for (std::size_t piece = 1; fed < 1000000; piece = piece % 997 + 1) {
            const std::size_t n = std::min({piece, a.size(), 1000000 - fed});
            h.update(a.data(), n);
            fed += n;
        }
        QCOMPARE(h.hex(), std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
        // Padding edge cases: 55, 56, 63, 64 bytes give what one-shot hashing gives piecewise too.
        for (std::size_t n : {55, 56, 63, 64, 65, 119, 120}) {
            const std::string s(n, 'q');
            Sha256 p;
            p.update(s.substr(0, n / 2));
            p.update(s.substr(n / 2));
            QCOMPARE(p.hex(), sha256_hex(s));
        }
        const std::string file = tmp_.path().toStdString() + "/abc.txt";
        write_bytes(file, "abc");
        QCOMPARE(sha256_file(file), sha256_hex("abc"));
    }

    void model_identity_covers_the_files_that_decide_the_output() {
        const std::string cache = tmp_.path().toStdString() + "/cache/file-digests.json";
        const ModelIdentity id = compute_model_identity(tiny_, cache);
        QCOMPARE(id.sha256.size(), std::size_t{64});
        QVERIFY(!id.files.empty());
        bool has_config = false, has_weights = false;
        for (const auto& f : id.files) {
            has_config = has_config || f.name == "config.json";
            has_weights = has_weights || f.name == "model.safetensors";
            QCOMPARE(f.sha256, sha256_file(path_join(tiny_, f.name)));
        }
        QVERIFY(has_config && has_weights);
        QVERIFY(file_exists(cache));
        // Stable, and the same without a cache.
        QCOMPARE(compute_model_identity(tiny_, cache).sha256, id.sha256);
        QCOMPARE(compute_model_identity(tiny_, "").sha256, id.sha256);
        // A file that plays no part (a README) does not change it.
        write_bytes(tiny_ + "/README.md", "notes");
        QCOMPARE(compute_model_identity(tiny_, cache).sha256, id.sha256);

        // The cache is used: an entry for an unchanged file is trusted (a planted digest shows up) ...
        json c = read_json(cache);
        std::string key;
        for (auto it = c["files"].begin(); it != c["files"].end(); ++it)
            if (it.key().size() >= 12 && it.key().substr(it.key().size() - 12) == "/config.json")
                key = it.key();
        QVERIFY(!key.empty());
        c["files"][key]["sha256"] = std::string(64, 'a');
        write_bytes(cache, c.dump());
        QVERIFY(compute_model_identity(tiny_, cache).sha256 != id.sha256);
        // ... and a changed file (new size or time) is hashed again.
        const std::string cfg = tiny_ + "/config.json";
        const std::string text = read_regular_file(cfg, kMaxTextFileBytes, "config");
        struct stat st {};
        QCOMPARE(::stat(cfg.c_str(), &st), 0);
        utimbuf times{st.st_atime, st.st_mtime + 10};
        QCOMPARE(::utime(cfg.c_str(), &times), 0);
        QCOMPARE(compute_model_identity(tiny_, cache).sha256, id.sha256);
        // One changed byte in the config changes the identity.
        write_bytes(cfg, text + " ");
        const ModelIdentity changed = compute_model_identity(tiny_, cache);
        QVERIFY(changed.sha256 != id.sha256);
        write_bytes(cfg, text);
        QCOMPARE(compute_model_identity(tiny_, cache).sha256, id.sha256);
        // A damaged cache costs time, not correctness.
        write_bytes(cache, "{not json");
        QCOMPARE(compute_model_identity(tiny_, cache).sha256, id.sha256);
        // Not a model folder.
        bool refused = false;
        try {
            compute_model_identity(tmp_.path().toStdString() + "/cache", "");
        } catch (const Error& e) {
            refused = std::string(e.what()).find("config.json") != std::string::npos;
        }
        QVERIFY(refused);
        // JSON round trip, and malformed records refused.
        QCOMPARE(model_identity_from_json(model_identity_to_json(id)).sha256, id.sha256);
        json bad = model_identity_to_json(id);
        bad["sha256"] = "zz";
        QVERIFY_THROWS_EXCEPTION(Error, model_identity_from_json(bad));
    }

    void sessions_carry_the_review_record() {
        Explorer x(load_model(tiny_));
        const PromptRequest r = test::question_about_noise("what is red?");
        GenerationSettings g;
        g.max_new_tokens = 3;
        g.stop_ids = {-1};
        Session s;
        s.trace = *x.generate(r, g);
        s.model_name = s.trace.model_name;
        s.model_dir = tiny_;
        s.model_identity = compute_model_identity(tiny_, "");
        s.image_rgb = *r.image_rgb;
        s.image_file_sha256 = sha256_hex("the file's bytes");
        s.reviewer = "Dr. Ada Example";
        const json j = session_to_json(s);
        QCOMPARE(j["software"]["version"].get<std::string>(), std::string(software_version()));
        QCOMPARE(j["reviewer"].get<std::string>(), s.reviewer);
        QCOMPARE(j["image"]["sha256"].get<std::string>(), image_pixels_sha256(s.image_rgb));
        QCOMPARE(j["model"]["identity"]["sha256"].get<std::string>(), s.model_identity.sha256);
        const Session back = session_from_json(j, "x.sightline.json");
        QCOMPARE(back.reviewer, s.reviewer);
        QCOMPARE(back.software_version, std::string(software_version()));
        QCOMPARE(back.model_identity.sha256, s.model_identity.sha256);
        QCOMPARE(back.model_identity.files.size(), s.model_identity.files.size());
        QCOMPARE(back.image_file_sha256, s.image_file_sha256);
        QCOMPARE(back.image_sha256, image_pixels_sha256(s.image_rgb));

        // The pixel digest is checked on reading (here: a digest that is not this image's).
        json tampered = j;
        tampered["image"]["sha256"] = sha256_hex("other pixels");
        bool refused = false;
        try {
            session_from_json(tampered, "t.sightline.json");
        } catch (const Error& e) {
            refused = std::string(e.what()).find("SHA-256") != std::string::npos;
        }
        QVERIFY(refused);
        // A malformed identity is refused with its field; a session without the record (older files)
        // still reads.
        json bad = j;
        bad["model"]["identity"]["files"] = 3;
        QVERIFY_THROWS_EXCEPTION(Error, session_from_json(bad, "b.sightline.json"));
        json old = j;
        old.erase("software");
        old.erase("reviewer");
        old["model"].erase("identity");
        old["image"].erase("sha256");
        const Session o = session_from_json(old, "old.sightline.json");
        QVERIFY(o.model_identity.empty() && o.reviewer.empty() && o.software_version.empty());

        // A token whose text is half of a multi-byte character (byte-fallback pieces decoded one by one)
        // is not valid UTF-8: the session is still saved, the bytes shown as U+FFFD, the ids kept.
        Session partial = s;
        partial.trace.tokens[partial.trace.answer_begin].text = "\xE2\x82";
        const std::string file = tmp_.path().toStdString() + "/partial_utf8.sightline.json";
        save_session(partial, file);
        const Session back2 = load_session(file);
        const std::string shown = back2.trace.tokens[back2.trace.answer_begin].text;
        QVERIFY(shown.find("\xEF\xBF\xBD") != std::string::npos &&
                shown.find("\xE2\x82") == std::string::npos);
        QCOMPARE(back2.trace.ids(), s.trace.ids());
    }
};

QTEST_GUILESS_MAIN(TestReviewRecords)
#include "test_review_records.moc"
