// Fuzzes batch manifest reading (core/batch/manifest.cpp) and the inline ground truth it carries
// (core/eval/image_truth.cpp: COCO boxes, polygons and RLE masks, compressed or not, and answer-word
// spans): the input is the manifest file. A bad line must become an item with an error, never a crash;
// ground truth is built for a small 7x5 image (file paths in "truth" are not followed).
#include <cstdint>
#include <string>

#include "core/batch/manifest.h"
#include "core/util/error.h"
#include "tests/fuzz/fuzz_support.h"

using namespace sightline;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzz::write_scratch("manifest/m.jsonl", data, size);
    fuzz::expect_only_errors([&] {
        const batch::Manifest m = batch::read_manifest(path);
        if (m.items.empty()) fuzz::finding("read_manifest returned no items without an error");
        int tried = 0;
        for (const auto& item : m.items) {
            if (!item.error.empty() || !item.truth.is_object() || ++tried > 8) continue;
            fuzz::expect_only_errors([&] {
                const AnswerTruth t = batch::item_truth(item, 7, 5);
                for (const auto& o : t.image.objects)
                    if (o.mask.rows != 5 || o.mask.cols != 7) fuzz::finding("a mask of the wrong size");
                for (const auto& s : t.spans)
                    if (s.end > t.expected.size() || s.begin > s.end)
                        fuzz::finding("a span outside the answer");
            });
        }
    });
    return 0;
}
