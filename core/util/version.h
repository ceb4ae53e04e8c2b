#pragma once
// The software version (the CMake project version), recorded in sessions, reports and CLI outputs.
namespace sightline {
const char* software_version();
}
