#pragma once
// Text for training the scene world's tokenizer.
#include <cstddef>
#include <cstdint>
#include <string>

namespace sightline::toy {

// One sentence per line: the question and the answer of the samples first_seed .. first_seed +
// n_samples - 1 (task types taken in turn so every type is represented), followed by the whole
// vocabulary (every colour, shape, size, position, number, relation and task word and every fixed
// question/answer phrase), so a SentencePiece model trained on it covers every word the scene world
// can produce, even for n_samples = 0.
std::string corpus_for_tokenizer(size_t n_samples, uint64_t first_seed);

// Just the vocabulary part of the corpus.
std::string vocabulary_corpus();

}  // namespace sightline::toy
