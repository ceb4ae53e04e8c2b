// Every write is checked (issue 21, item 2): files are written whole or not at all. A full disk
// (simulated with a file-size limit, which fails writes with EFBIG exactly where ENOSPC would) gives
// an error naming the file and the reason, leaves no partial or temporary file, and never replaces a
// good file that was already there.
#include <sys/stat.h>

#include <ATen/ATen.h>
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <functional>
#include <opencv2/core.hpp>

#include "core/image/image_io.h"
#include "core/io/safetensors_writer.h"
#include "core/session/session.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/error_of.h"
#include "tests/support/file_size_limit.h"

using namespace sightline;
using test::error_of;

namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Names in `dir` other than `keep` (temporary files left behind would show up here).
QStringList others(const QString& dir, const QStringList& keep) {
    QStringList names = QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System);
    for (const auto& k : keep) names.removeAll(k);
    return names;
}

}  // namespace

class TestCheckedWrites : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void atomic_write_round_trip() {
        QTemporaryDir tmp;
        const std::string path = (tmp.path() + "/a.json").toStdString();
        std::string bytes(100000, 'x');
        bytes[5] = '\0';  // binary content is kept as is
        write_file_atomic(path, bytes, "test file");
        QCOMPARE(read_all(path), bytes);
        write_file_atomic(path, "short", "test file");  // replaces
        QCOMPARE(read_all(path), std::string("short"));
        QCOMPARE(others(tmp.path(), {"a.json"}), QStringList());
        // Permissions as a plain open() gives them (not mkstemp's 0600).
        const mode_t mask = ::umask(022);
        write_file_atomic(path, "x", "test file");
        ::umask(mask);
        struct stat st {};
        QCOMPARE(::stat(path.c_str(), &st), 0);
        QCOMPARE(static_cast<int>(st.st_mode & 0777), 0644);
    }

    void abandoned_writer_leaves_nothing() {
        QTemporaryDir tmp;
        const std::string path = (tmp.path() + "/b.bin").toStdString();
        {
            AtomicFile f(path, "test file");
            f.write("half of it");
        }  // no commit: as after an exception mid-way
        QVERIFY(!QFile::exists(QString::fromStdString(path)));
        QCOMPARE(others(tmp.path(), {}), QStringList());
    }

    void full_disk_gives_an_error_and_keeps_the_old_file() {
        QTemporaryDir tmp;
        const std::string path = (tmp.path() + "/explanations.json").toStdString();
        write_file_atomic(path, "old good content", "test file");
        test::FileSizeLimit limit(4096);
        QVERIFY(limit.active());
        const std::string e =
            error_of([&] { write_file_atomic(path, std::string(12945, 'y'), "explanations"); });
        qInfo("%s", e.c_str());
        QVERIFY2(e.find(path) != std::string::npos, e.c_str());
        QVERIFY2(e.find("File too large") != std::string::npos, e.c_str());
        QVERIFY2(e.find("explanations") != std::string::npos, e.c_str());
        QCOMPARE(read_all(path), std::string("old good content"));
        QCOMPARE(others(tmp.path(), {"explanations.json"}), QStringList());
    }

    void writers_of_every_kind_fail_cleanly_on_a_full_disk() {
        QTemporaryDir tmp;
        const QString dir = tmp.path();
        Session s;  // a session with an image, so it does not fit in 2 KB
        cv::Mat noise(64, 64, CV_8UC3);
        cv::randu(noise, 0, 255);
        s.image_rgb = noise;
        s.notes = std::string(3000, 'n');
        const std::string session = (dir + "/s.sightline.json").toStdString();
        const std::string image = (dir + "/overlay.png").toStdString();
        const std::string weights = (dir + "/model.safetensors").toStdString();
        test::FileSizeLimit limit(2048);
        QVERIFY(limit.active());
        for (const auto& [what, write] : std::vector<std::pair<std::string, std::function<void()>>>{
                 {session, [&] { save_session(s, session); }},
                 {image, [&] { save_image_rgb(image, noise); }},
                 {weights,
                  [&] {
                      write_safetensors(weights, {{"w", at::ones({1024})}});
                  }},
             }) {
            const std::string e = error_of(write);
            QVERIFY2(e.find(what) != std::string::npos && e.find("File too large") != std::string::npos,
                     (what + ": " + e).c_str());
        }
        QCOMPARE(others(dir, {}), QStringList());
    }

    void unwritable_places_are_named() {
        QTemporaryDir tmp;
        const std::string file = (tmp.path() + "/plain").toStdString();
        write_file_atomic(file, "x", "test file");
        // A folder where a file should be, a file where a folder should be, an empty name.
        std::string e = error_of([&] { write_file_atomic(tmp.path().toStdString(), "x", "report"); });
        QVERIFY2(e.find("folder") != std::string::npos, e.c_str());
        e = error_of([&] { write_file_atomic(file + "/inside.json", "x", "report"); });
        QVERIFY2(e.find("Not a directory") != std::string::npos && e.find("report") != std::string::npos,
                 e.c_str());
        e = error_of([&] { write_file_atomic("", "x", "report"); });
        QVERIFY2(!e.empty(), "an empty file name must be refused");
        e = error_of([&] { save_image_rgb((tmp.path() + "/noext").toStdString(), cv::Mat(4, 4, CV_8UC3)); });
        QVERIFY2(e.find("extension") != std::string::npos, e.c_str());
    }
};

QTEST_GUILESS_MAIN(TestCheckedWrites)
#include "test_checked_writes.moc"
