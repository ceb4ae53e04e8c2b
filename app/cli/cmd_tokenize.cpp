// sightline-cli tokenize: ids and pieces of a text under a tokenizer file.
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/text/tokenizer.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline::cli {

int cmd_tokenize(const Words& words) {
    const Args a(words, {"json", "add-special-tokens", "help"});
    if (a.has("help")) {
        std::cout
            << "usage: sightline-cli tokenize --tokenizer PATH --text TEXT [--add-special-tokens] [--json]\n"
               "PATH is a tokenizer.model (SentencePiece) or tokenizer.json (BPE: byte-level or byte "
               "fallback) file, or a "
               "model folder.\n";
        return 0;
    }
    a.allow_only({"tokenizer", "text", "json", "add-special-tokens", "help"});
    const std::string path = a.require("tokenizer");
    if (!a.has("text")) fail("missing required option --text");
    const std::string text = a.get("text");
    const bool is_file = ends_with(path, ".model") || ends_with(path, ".json");
    auto tok = is_file ? load_tokenizer_file(path) : load_tokenizer(path);
    if (!tok) fail(path, ": no tokenizer found");
    const auto ids = tok->encode(text, a.has("add-special-tokens"));
    if (a.has("json")) {
        std::vector<std::string> pieces;
        for (auto id : ids) pieces.push_back(tok->piece(id));
        std::cout << nlohmann::json{{"ids", ids}, {"tokens", pieces}}.dump(
                         -1, ' ', false, nlohmann::json::error_handler_t::replace)
                  << "\n";
    } else {
        for (auto id : ids) std::cout << id << "\t" << printable(tok->piece(id)) << "\n";
    }
    return 0;
}

}  // namespace sightline::cli
