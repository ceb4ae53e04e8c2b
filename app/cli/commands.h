#pragma once
// sightline-cli subcommands. Each takes the words after the command name and returns the exit code.
#include <string>
#include <vector>

namespace sightline::cli {

using Words = std::vector<std::string>;

int cmd_generate(const Words& words);
int cmd_tokenize(const Words& words);
int cmd_bench(const Words& words);
int cmd_info(const Words& words);
int cmd_toy(const Words& words);
int cmd_explain(const Words& words);
int cmd_eval(const Words& words);
int cmd_demo(const Words& words);
int cmd_intervene(const Words& words);
int cmd_batch(const Words& words);
int cmd_batch_merge(const Words& words);
int cmd_batch_diff(const Words& words);

}  // namespace sightline::cli
