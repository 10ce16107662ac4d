// A main() for the fuzz targets in builds without libFuzzer (GCC, the ci and asan-ubsan presets):
// runs LLVMFuzzerTestOneInput once on each file named, and on every file in each directory
// named (recursively, in name order; a missing one is skipped), so the seed corpora and the
// regression inputs are run by ctest under every build. Exit status 0 when every input ran; a crash
// is the sanitizer's or the target's abort().
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool runFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "%s: cannot read\n", path.c_str());
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A copy of exactly the input's size, as libFuzzer does, so reads past the end are caught.
  std::vector<std::uint8_t> input(bytes.size());
  std::copy(bytes.begin(), bytes.end(), input.begin());
  std::fprintf(stderr, "running %s (%zu bytes)\n", path.c_str(), input.size());
  LLVMFuzzerTestOneInput(input.data(), input.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t ran = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code error;
    if (!std::filesystem::exists(arg, error)) {
      // A target without regression inputs yet has no regressions/<target>/ folder.
      std::fprintf(stderr, "%s: does not exist, skipped\n", arg.c_str());
      continue;
    }
    if (std::filesystem::is_directory(arg, error)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) {
        ok = runFile(file) && ok;
        ++ran;
      }
    } else {
      ok = runFile(arg) && ok;
      ++ran;
    }
  }
  std::fprintf(stderr, "%zu inputs ran\n", ran);
  return ok ? 0 : 1;
}
