#include "core/text/tokenizer_json_file.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

using json = nlohmann::json;

// Token ids at or above this are refused: tables indexed by id would need gigabytes.
constexpr int64_t kMaxTokenId = 10'000'000;

// SAX events -> a json tree, except model.vocab and model.merges which are collected as they stream by.
class Handler {
  public:
    explicit Handler(TokenizerJsonFile& out) : out_(out) {}

    const std::string& error() const { return error_; }

    bool null() { return value(json()); }
    bool boolean(bool v) { return value(json(v)); }
    bool number_integer(json::number_integer_t v) {
        if (mode_ == Mode::Vocab) return vocab_id(v);
        return value(json(v));
    }
    bool number_unsigned(json::number_unsigned_t v) {
        if (mode_ == Mode::Vocab) {
            return vocab_id(static_cast<int64_t>(std::min<json::number_unsigned_t>(v, INT64_MAX)));
        }
        return value(json(v));
    }
    bool number_float(json::number_float_t v, const json::string_t&) { return value(json(v)); }
    bool binary(json::binary_t&) { return bad("binary data"); }

    bool string(json::string_t& s) {
        switch (mode_) {
            case Mode::Merges:
                return merge_string(s);
            case Mode::MergePair:
                if (pair_.size() >= 2) return bad_merge();
                pair_.push_back(std::move(s));
                return true;
            case Mode::Vocab:
                return bad("a string as the id of \"" + brief(key_) + "\"");
            case Mode::Tree:
                break;
        }
        return value(json(std::move(s)));
    }

    bool key(json::string_t& k) {
        key_ = std::move(k);
        return true;
    }

    bool start_object(std::size_t) {
        if (mode_ != Mode::Tree)
            return mode_ == Mode::Vocab ? bad("an object as the id of \"" + brief(key_) + "\"") : bad_merge();
        if (at_model_field("vocab")) {
            mode_ = Mode::Vocab;
            out_.has_vocab = true;
            return true;
        }
        return open(json::object());
    }

    bool end_object() {
        if (mode_ == Mode::Vocab) {
            mode_ = Mode::Tree;
            return true;
        }
        stack_.pop_back();
        return true;
    }

    bool start_array(std::size_t) {
        switch (mode_) {
            case Mode::Merges:
                mode_ = Mode::MergePair;
                pair_.clear();
                return true;
            case Mode::MergePair:
                return bad_merge();
            case Mode::Vocab:
                return bad("an array as the id of \"" + brief(key_) + "\"");
            case Mode::Tree:
                break;
        }
        if (at_model_field("merges")) {
            mode_ = Mode::Merges;
            out_.has_merges = true;
            return true;
        }
        return open(json::array());
    }

    bool end_array() {
        switch (mode_) {
            case Mode::MergePair:
                if (pair_.size() != 2) return bad_merge();
                out_.merges.emplace_back(std::move(pair_[0]), std::move(pair_[1]));
                mode_ = Mode::Merges;
                return true;
            case Mode::Merges:
                mode_ = Mode::Tree;
                return true;
            default:
                break;
        }
        stack_.pop_back();
        return true;
    }

    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
        if (error_.empty()) error_ = std::string("is not valid JSON: ") + e.what();
        return false;
    }

  private:
    enum class Mode { Tree, Vocab, Merges, MergePair };

    struct Open {
        json* node;
        bool is_model;  // the top-level "model" object
    };

    // Whether the value about to start is the field `name` of the top-level "model" object.
    bool at_model_field(const char* name) const {
        return !stack_.empty() && stack_.back().is_model && key_ == name;
    }

    json* insert(json&& v) {
        if (stack_.empty()) {
            out_.doc = std::move(v);
            return &out_.doc;
        }
        json& parent = *stack_.back().node;
        if (parent.is_array()) {
            parent.push_back(std::move(v));
            return &parent.back();
        }
        json& slot = parent[key_];
        slot = std::move(v);
        return &slot;
    }

    bool value(json&& v) {
        if (mode_ != Mode::Tree)
            return mode_ == Mode::Vocab ? bad("a non-integer id of \"" + brief(key_) + "\"") : bad_merge();
        insert(std::move(v));
        return true;
    }

    bool open(json&& container) {
        const bool is_model =
            stack_.size() == 1 && key_ == "model" && container.is_object() && stack_.back().node->is_object();
        json* node = insert(std::move(container));
        stack_.push_back({node, is_model});
        return true;
    }

    bool vocab_id(int64_t id) {
        // Tables are sized by the largest id, so an absurd id would allocate gigabytes.
        if (id < 0 || id >= kMaxTokenId)
            return bad("id " + std::to_string(id) + " of \"" + brief(key_) + "\" (ids must be 0 .. " +
                       std::to_string(kMaxTokenId - 1) + ")");
        out_.vocab.emplace_back(std::move(key_), id);
        return true;
    }

    bool merge_string(json::string_t& s) {
        const auto space = s.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 >= s.size() ||
            s.find(' ', space + 1) != std::string::npos) {
            error_ = "merge " + std::to_string(out_.merges.size()) + " \"" + brief(s) +
                     "\" is not two pieces separated by one space";
            return false;
        }
        out_.merges.emplace_back(s.substr(0, space), s.substr(space + 1));
        return true;
    }

    bool bad_merge() {
        error_ = "merge " + std::to_string(out_.merges.size()) + " must be \"a b\" or [\"a\", \"b\"]";
        return false;
    }

    bool bad(const std::string& what) {
        error_ = "model.vocab has " + what;
        return false;
    }

    TokenizerJsonFile& out_;
    std::vector<Open> stack_;
    std::string key_;
    std::vector<std::string> pair_;
    Mode mode_ = Mode::Tree;
    std::string error_;
};

}  // namespace

TokenizerJsonFile parse_tokenizer_json(const std::string& text, const std::string& where) {
    check_json_depth(text, kMaxJsonDepth, where);  // the tree built below is destroyed recursively
    TokenizerJsonFile out;
    Handler handler(out);
    bool ok = false;
    try {
        ok = json::sax_parse(text, &handler);
    } catch (const json::exception& e) {
        fail(where, " is not valid JSON: ", e.what());
    }
    if (!ok) {
        const std::string& message = handler.error();
        if (message.rfind("is not valid JSON", 0) == 0) fail(where, " ", message);
        fail(where, ": ", message.empty() ? std::string("is not valid JSON") : message);
    }
    return out;
}

TokenizerJsonFile read_tokenizer_json_file(const std::string& path) {
    if (!file_exists(path)) fail("file not found: ", path);
    const std::string text = read_regular_file(path, kMaxTextFileBytes, "tokenizer file");
    return parse_tokenizer_json(text, path);
}

}  // namespace sightline
