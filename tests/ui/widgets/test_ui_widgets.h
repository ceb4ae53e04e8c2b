#pragma once
// One Qt Test class for ui/widgets; its slots are spread over test_image_canvas.cpp,
// test_canvas_view.cpp, test_token_strip.cpp and test_widget_screenshots.cpp.
#include <QObject>

class TestUiWidgets : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase();

    // ImageCanvas
    void overlayMatchesCore_data();
    void overlayMatchesCore();
    void mapOnlyMatchesCore();
    void overlayWithoutMapOrImage();
    void clickSelectsPatch_data();
    void clickSelectsPatch();
    void rubberBandSelectsRectangle();
    void ctrlTogglesPatches();
    void clickMappingSurvivesZoomAndPan();
    void wheelZoomKeepsPointUnderCursor();
    void zoomIsClamped();
    void badMapIsRejected();
    void hoverSignalAndToolTip();
    void escapeClearsSelection();
    void gridWithoutMap();
    void dropImageFile();

    // CanvasView and the cv::Mat <-> QImage conversion
    void viewPatchMapping();
    void cvQImageRoundTrip();

    // TokenStrip
    void tokenDisplayRules_data();
    void tokenDisplayRules();
    void clickTokenEmitsIndex();
    void tokensWrap();
    void keyboardNavigation();
    void nonInteractiveEmitsNothing();
    void hoverAndToolTips();
    void emptyStrip();

    // Screenshots to <temp>/sightline_widgets
    void screenshots();
};
