#include "core/toy/scene_queries.h"

#include "core/util/error.h"

namespace sightline::toy {

std::string to_string(Relation relation) {
    switch (relation) {
        case Relation::LeftOf:
            return "left of";
        case Relation::RightOf:
            return "right of";
        case Relation::Above:
            return "above";
        case Relation::Below:
            return "below";
    }
    fail("unknown relation ", int(relation));
}

bool shape_is_unique(const Scene& scene, int object) {
    const SceneObject& target = scene.objects.at(size_t(object));
    for (size_t i = 0; i < scene.objects.size(); ++i)
        if (int(i) != object && scene.objects[i].shape == target.shape) return false;
    return true;
}

bool color_is_unique(const Scene& scene, int object) {
    const SceneObject& target = scene.objects.at(size_t(object));
    for (size_t i = 0; i < scene.objects.size(); ++i)
        if (int(i) != object && scene.objects[i].color == target.color) return false;
    return true;
}

bool in_relation(const SceneObject& candidate, Relation relation, const SceneObject& anchor) {
    switch (relation) {
        case Relation::LeftOf:
            return candidate.cell_row == anchor.cell_row && candidate.cell_col < anchor.cell_col;
        case Relation::RightOf:
            return candidate.cell_row == anchor.cell_row && candidate.cell_col > anchor.cell_col;
        case Relation::Above:
            return candidate.cell_col == anchor.cell_col && candidate.cell_row < anchor.cell_row;
        case Relation::Below:
            return candidate.cell_col == anchor.cell_col && candidate.cell_row > anchor.cell_row;
    }
    return false;
}

std::vector<int> related_objects(const Scene& scene, int anchor, Relation relation) {
    std::vector<int> related;
    const SceneObject& a = scene.objects.at(size_t(anchor));
    for (size_t i = 0; i < scene.objects.size(); ++i)
        if (int(i) != anchor && in_relation(scene.objects[i], relation, a)) related.push_back(int(i));
    return related;
}

std::vector<int> relation_decoys(const Scene& scene, int anchor, Relation relation) {
    const SceneObject& a = scene.objects.at(size_t(anchor));
    std::vector<int> decoys;
    for (size_t i = 0; i < scene.objects.size(); ++i) {
        const SceneObject& o = scene.objects[i];
        if (int(i) == anchor || in_relation(o, relation, a)) continue;
        const bool in_direction = relation == Relation::LeftOf    ? o.cell_col < a.cell_col
                                  : relation == Relation::RightOf ? o.cell_col > a.cell_col
                                  : relation == Relation::Above   ? o.cell_row < a.cell_row
                                                                  : o.cell_row > a.cell_row;
        if (in_direction) decoys.push_back(int(i));
    }
    return decoys;
}

int find_object(const Scene& scene, Color color, Shape shape) {
    for (size_t i = 0; i < scene.objects.size(); ++i)
        if (scene.objects[i].color == color && scene.objects[i].shape == shape) return int(i);
    return -1;
}

}  // namespace sightline::toy
