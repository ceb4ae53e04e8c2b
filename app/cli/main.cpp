// sightline-cli: the headless face of Sightline (generation, tokenisation, benchmarks, explanations).
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <string>

#include "app/cli/commands.h"
#include "core/util/error.h"
#include "core/util/version.h"

namespace {

void usage() {
    std::cout <<
        R"(sightline-cli - look inside vision-language models

usage: sightline-cli <command> [options]

commands:
  demo       [--model DIR] [--seed S] [--task T]   a guided headless tour on a demo scene
  generate   --model DIR [--image PATH] (--prompt TEXT | --prompt-ids "1 2 3") [--max-new-tokens N]
             [--temperature T] [--top-p P] [--top-k K] [--seed S] [--dtype auto|f32|bf16] [--no-template] [--json]
             [--system TEXT] [--turns FILE.json]   system prompt and earlier turns (the model's chat template)
  tokenize   --tokenizer PATH (tokenizer.model or tokenizer.json) --text TEXT [--add-special-tokens] [--json]
  bench      --model DIR [--json] [--prompt-tokens N] [--new-tokens N] [--repeats N]
  info       --model DIR [--json]          configuration, parameters, hook points, chat template check
  explain    --image PATH --prompt TEXT --method attention,relevancy,tam,cleann [--target K | --all-targets]
             --out DIR [--params JSON] [--system TEXT] [--turns FILE.json] [--json]
                                                 maps, scores, overlays and .npy arrays for answer tokens
             (instruments: --method logit_lens, causal_tracing)
  intervene  (--image PATH --prompt TEXT | --scene SEED) (--patches "r,c;..." | --positions LIST | --object)
             [--op block|mean|blur] [--layers LIST] [--window N] [--target K] [--json]
                                                 knock patches or tokens out and re-run the answer
  eval       [--model DIR] --n N --first-seed S [--methods LIST] [--json]   explainer quality on held-out scenes
  batch      --manifest FILE.jsonl --out DIR [--methods LIST] [--shard I/N] [--targets answer-words|all|first]
             [--png] [--json]              explain a dataset, one shard per process (Slurm array tasks)
  batch-merge --out DIR [--json]           merge the shards: results.jsonl, summary.json (eval's figures)
  batch-diff DIR_A DIR_B                   do two merged runs agree (times aside)?
  toy        scene | manifest | eval | train   the synthetic scene world and its embedded model

--model defaults to the embedded scene-world model. Explainer plugins are loaded from
$SIGHTLINE_PLUGIN_PATH, <bin>/plugins and <prefix>/lib/sightline/plugins. Run a command with --help.
)";
}

// Output the user asked for must not be lost silently: a stdout that cannot take it (a full disk
// behind a redirection, a closed pipe) turns a successful run into exit status 1 with the reason.
int finish(const std::string& command, int rc) {
    std::cout.flush();
    if (std::cout.fail() || std::fflush(stdout) != 0 || std::ferror(stdout)) {
        const int err = errno;
        std::cerr << "sightline-cli " << command << ": error: cannot write to standard output"
                  << (err != 0 ? std::string(": ") + std::strerror(err) : std::string()) << "\n";
        return rc == 0 ? 1 : rc;
    }
    return rc;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
        std::string(argv[1]) == "help") {
        usage();
        return argc < 2 ? 2 : 0;
    }
    if (std::string(argv[1]) == "--version") {
        std::cout << "sightline-cli " << sightline::software_version() << "\n";
        return 0;
    }
    // A file-size limit (ulimit -f) makes writes fail with EFBIG, which every writer reports, instead
    // of killing the process half-way through a file.
    std::signal(SIGXFSZ, SIG_IGN);
    const std::string command = argv[1];
    const sightline::cli::Words words(argv + 2, argv + argc);
    const std::map<std::string, int (*)(const sightline::cli::Words&)> commands = {
        {"generate", sightline::cli::cmd_generate},
        {"tokenize", sightline::cli::cmd_tokenize},
        {"bench", sightline::cli::cmd_bench},
        {"info", sightline::cli::cmd_info},
        {"toy", sightline::cli::cmd_toy},
        {"explain", sightline::cli::cmd_explain},
        {"eval", sightline::cli::cmd_eval},
        {"demo", sightline::cli::cmd_demo},
        {"intervene", sightline::cli::cmd_intervene},
        {"batch", sightline::cli::cmd_batch},
        {"batch-merge", sightline::cli::cmd_batch_merge},
        {"batch-diff", sightline::cli::cmd_batch_diff},
    };
    const auto it = commands.find(command);
    if (it == commands.end()) {
        std::cerr << "sightline-cli: unknown command '" << command << "'\n\n";
        usage();
        return 2;
    }
    try {
        return finish(command, it->second(words));
    } catch (const sightline::OutOfMemoryRisk& e) {
        std::cerr << "sightline-cli " << command << ": " << e.what() << "\n";
        return 3;
    } catch (const std::exception& e) {
        std::cerr << "sightline-cli " << command << ": error: " << e.what() << "\n";
        return 1;
    }
}
