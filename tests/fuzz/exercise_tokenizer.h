#pragma once
// What the app does with a tokenizer it loaded, for the tokenizer harnesses: encode a few fixed texts,
// decode the ids back, look at pieces and special ids. Ids out of range must be refused with an Error.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/text/tokenizer.h"
#include "core/util/error.h"
#include "tests/fuzz/fuzz_support.h"

namespace sightline::fuzz {

inline void exercise_tokenizer(const Tokenizer& tok) {
    const std::int64_t n = tok.vocab_size();
    if (n < 0) finding("negative vocab_size");
    std::size_t sum = tok.kind().size();
    for (const char* text :
         {"", "USER: <image>\nwhat color is the cross? ASSISTANT:", " a  b\t\n\r\n",
          "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 <s></s><unk>", "0123456789"}) {
        for (const bool special : {false, true}) {
            const std::vector<std::int64_t> ids = tok.encode(text, special);
            for (const auto id : ids)
                if (id < 0 || id >= n)
                    finding("encode() gave id " + std::to_string(id) + " outside the vocabulary");
            sum += tok.decode(ids, false).size() + tok.decode(ids, true).size();
        }
    }
    const std::int64_t shown = std::min<std::int64_t>(n, 300);
    for (std::int64_t id = 0; id < n; id = id + 1 < shown ? id + 1 : std::max(id + 1, n - 3)) {
        const std::string piece = tok.piece(id);
        sum += piece.size() + tok.token_text(id).size() + (tok.is_special(id) ? 1 : 0);
        if (const auto back = tok.token_id(piece)) sum += static_cast<std::size_t>(*back);
    }
    for (const auto id :
         {tok.special_ids().bos, tok.special_ids().eos, tok.special_ids().pad, tok.special_ids().unk})
        if (id < -1 || id >= n) finding("special id " + std::to_string(id) + " outside the vocabulary");
    for (const std::int64_t bad : {n, std::int64_t{-2}}) {
        bool refused = false;
        try {
            sum += tok.decode({bad}).size();
        } catch (const Error&) {
            refused = true;
        }
        if (!refused) finding("decode() accepted id " + std::to_string(bad));
    }
    (void)sum;
}

}  // namespace sightline::fuzz
