// Job ids and cancellation: a new request on a channel supersedes (cancels) the previous one, results of
// superseded ids are recognised as stale, and the worker skips jobs cancelled while queued.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "tests/support/tiny_models.h"
#include "ui/worker/worker_host.h"

using namespace sightline::ui;

class TestJobTracker : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void supersede_and_finish() {
        CancelBoard board;
        JobTracker jobs(&board);
        const JobKey tam = JobKey::explain("tam");
        const quint64 a = jobs.start(tam);
        QVERIFY(jobs.key_of(a) == tam);
        QVERIFY(!board.is_cancelled(a));
        const quint64 b = jobs.start(tam);
        QVERIFY(b != a);
        QVERIFY(board.is_cancelled(a));  // superseded
        QVERIFY(!jobs.key_of(a));
        QVERIFY(jobs.key_of(b) == tam);
        const quint64 r = jobs.start(JobKey::explain("relevancy"));
        QVERIFY(!board.is_cancelled(b));  // one channel per method: independent
        const quint64 c = jobs.start({Channel::Generate, {}});
        QVERIFY(!board.is_cancelled(b));  // channels are independent
        QCOMPARE(to_string(*jobs.key_of(c)), QString("generate"));
        QCOMPARE(to_string(*jobs.key_of(r)), QString("explain:relevancy"));
        QVERIFY(!jobs.take(a));  // a superseded job's answer is stale: dropped
        QVERIFY(jobs.busy(tam));
        QVERIFY(jobs.take(b) == tam);  // the current job's answer is taken, the channel goes idle
        QVERIFY(!jobs.busy(tam));
        QVERIFY(!jobs.take(b));  // and only once
        QVERIFY(jobs.busy({Channel::Generate, {}}));
        QCOMPARE(jobs.busy_keys().size(), 2);
        jobs.cancel_all();
        QVERIFY(board.is_cancelled(c));
        QVERIFY(board.is_cancelled(r));
    }
    void worker_skips_cancelled_jobs_and_reports_errors() {
        WorkerHost host;
        host.start();
        QSignalSpy cancelled(host.worker(), &ModelWorker::cancelled);
        QSignalSpy failed(host.worker(), &ModelWorker::failed);
        QSignalSpy host_failed(&host, &WorkerHost::failed);
        QSignalSpy host_cancelled(&host, &WorkerHost::cancelled);
        QSignalSpy finished(&host, &WorkerHost::jobFinished);
        // No model: a generation fails with a clear message, not a crash.
        GenerationJob job;
        job.question = "hello";
        const quint64 g = host.generate(job);
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.at(0).at(0).toULongLong(), g);
        QVERIFY(failed.at(0).at(1).toString().contains("no model"));
        QVERIFY(host_failed.count() == 1 || host_failed.wait(5000));
        QVERIFY(host_failed.at(0).at(0).value<JobKey>() == (JobKey{Channel::Generate, {}}));
        QVERIFY(host_failed.at(0).at(1).toString().contains("no model"));
        QVERIFY(!host.busy({Channel::Generate, {}}));
        // A job superseded before the worker reaches it is skipped and reported as cancelled.
        const quint64 first = host.loadModel("/nonexistent/model");
        const quint64 second = host.loadModel("/nonexistent/model2");
        QVERIFY(QTest::qWaitFor([&] { return failed.count() >= 2 || cancelled.count() >= 1; }, 5000));
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const auto& a : failed)
                    if (a.at(0).toULongLong() == second) return true;
                return false;
            },
            5000));
        bool first_skipped = false;
        for (const auto& a : cancelled) first_skipped = first_skipped || a.at(0).toULongLong() == first;
        for (const auto& a : failed) first_skipped = first_skipped || a.at(0).toULongLong() == first;
        QVERIFY(first_skipped);
        for (const auto& a : failed)
            if (a.at(0).toULongLong() == second) QVERIFY(a.at(1).toString().contains("model2"));
        // The host passes on the newer load's failure only: the superseded one is dropped there.
        QVERIFY(QTest::qWaitFor([&] { return host_failed.count() == 2; }, 5000));
        QTest::qWait(100);
        QCOMPARE(host_failed.count(), 2);
        QCOMPARE(host_cancelled.count(), 0);
        QVERIFY(host_failed.at(1).at(1).toString().contains("model2"));
        QCOMPARE(finished.count(), 2);
        QVERIFY(host.jobs().busy_keys().isEmpty());
    }
    void worker_loads_with_the_chosen_dtype_and_reports_progress() {
        QTemporaryDir tmp;
        const QString dir = QString::fromStdString(sightline::test::write_tiny_model(
            (tmp.path() + "/m").toStdString(), sightline::test::TinySpec{}));
        WorkerHost host;
        host.start();
        QSignalSpy loaded(&host, &WorkerHost::modelLoaded);
        QSignalSpy stages(&host, &WorkerHost::stageProgress);
        host.loadModel(dir, "int8");
        QVERIFY(loaded.wait(30000));
        const auto info = loaded.at(0).at(0).value<ModelInfo>();
        QVERIFY2(info.dtype.contains("int8 weights"), qPrintable(info.dtype));
        QVERIFY(stages.count() >= 1);  // "loading weights" progress reached the GUI thread
        QVERIFY(stages.at(0).at(0).value<JobKey>() == (JobKey{Channel::Model, {}}));
        QVERIFY(stages.at(0).at(1).toString().contains("loading weights"));
        host.loadModel(dir, "bf16");
        QVERIFY(loaded.wait(30000));
        QCOMPARE(loaded.at(1).at(0).value<ModelInfo>().dtype, QString("bf16"));
    }
};

QTEST_MAIN(TestJobTracker)
#include "test_job_tracker.moc"
