#pragma once
// Small helpers shared by the tokenizer tests: writing scratch files and reading golden id lists.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "core/util/strings.h"

namespace sightline::test {

inline void write_file(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
}

inline void copy_file(const std::string& from, const std::string& to) {
    write_file(to, read_text_file(from));
}

struct GoldenCase {
    std::string text;
    std::vector<int64_t> ids;
};

// golden.json: [{"text": ..., "ids": [...]}, ...]
inline std::vector<GoldenCase> read_golden(const std::string& path) {
    const auto j = nlohmann::json::parse(read_text_file(path));
    std::vector<GoldenCase> cases;
    for (const auto& item : j)
        cases.push_back({item.at("text").get<std::string>(), item.at("ids").get<std::vector<int64_t>>()});
    return cases;
}

}  // namespace sightline::test
