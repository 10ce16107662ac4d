// The one source of camwatch_test_pch (tests/CMakeLists.txt): CMake builds the tests' precompiled
// header with this target's options, and a target needs a source to have options.
