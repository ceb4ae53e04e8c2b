#pragma once
// The sightline_metrics test suite; slots are implemented in test_metrics.cpp (grid maps, Otsu,
// localisation) and test_metrics_curves.cpp (deletion/insertion, blur baseline, consistency).
#include <QObject>

class TestMetrics : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    // test_metrics.cpp
    void gridMapAccessAndChecks();
    void resizeUsesHalfPixelCentres();
    void otsuSplitsABimodalMap();
    void otsuDegenerateCases();
    void objIouOfAnUpscaledMap();
    void objIouMaxOverSubtokens();
    void funcIouAgainstMeanNounThreshold();
    void f1Iou();
    void pointingGame();
    void pointingOutcomes();
    // test_metrics_curves.cpp
    void trapezoidAuc();
    void cellsByImportanceIsStable();
    void composeCells();
    void deletionAndInsertionCurves();
    void curvesNormaliseAndGuardZeroDenominator();
    void blurredBaselineKernel();
    void spearmanWithTies();
    void topkIou();
    void consistencyFlagsDisagreement();
};
