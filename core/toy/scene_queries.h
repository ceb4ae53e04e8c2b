#pragma once
// Facts about a scene that questions are built from: which attributes single out one object, and the
// spatial relations between objects.
//
// Relation rule (grid cells, not pixels): B is "left of" A when B is in the same cell row as A and in a
// strictly smaller cell column; "right of": same row, larger column; "above": same cell column,
// smaller row; "below": same column, larger row. Objects in other rows/columns are in no relation.
#include "core/toy/scene.h"

#include <array>
#include <string>
#include <vector>

namespace sightline::toy {

enum class Relation { LeftOf, RightOf, Above, Below };
constexpr std::array<Relation, 4> kAllRelations = {Relation::LeftOf, Relation::RightOf, Relation::Above,
                                                   Relation::Below};

// "left of", "right of", "above", "below".
std::string to_string(Relation relation);

// Whether no other object of the scene has this object's shape / colour.
bool shape_is_unique(const Scene& scene, int object);
bool color_is_unique(const Scene& scene, int object);

// Whether `candidate` stands in `relation` to `anchor` (see the rule above).
bool in_relation(const SceneObject& candidate, Relation relation, const SceneObject& anchor);
// The indices of every object in `relation` to object `anchor`.
std::vector<int> related_objects(const Scene& scene, int anchor, Relation relation);

// The decoys of a relation question: objects other than `anchor` and the ones in `relation` to it that lie
// in the relation's direction but off its row (left/right) or column (above/below), e.g. for "left of"
// an object in a smaller column of another row. Answering one of them is the typical relation error.
std::vector<int> relation_decoys(const Scene& scene, int anchor, Relation relation);

// Index of the object with this (colour, shape), or -1.
int find_object(const Scene& scene, Color color, Shape shape);

}  // namespace sightline::toy
