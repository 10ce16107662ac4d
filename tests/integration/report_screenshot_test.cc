// The report's first screen as a reviewed golden image (tests/golden/screens/): headless
// Chromium renders the golden report of the demo capture with the example config and with the
// ground-truth config (tests/golden/cases/*/report.html, which golden_outputs keeps identical to
// what camwatch writes now), and the screenshot is compared with the committed PNG within a
// tolerance. Text and layout changes show up as a failing test and, once regenerated on purpose
// (scripts/update-golden.sh), as a changed image in review; anti-aliasing that differs by a few
// levels between machines does not.
//
// Why render the golden HTML and not a fresh replay: the byte-for-byte golden test already ties
// it to the build, and the image then depends on nothing but the page and the browser. Fonts come
// from a fontconfig that sees only DejaVu (Debian's fonts-dejavu-core), so a machine with more
// fonts installed renders the same glyphs.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "integration/chromium_run.h"
#include "integration/run_command.h"
#include "support/png_image.h"

namespace camwatch::integration {
namespace {

namespace fs = std::filesystem;

const std::string kSourceDir = CAMWATCH_SOURCE_DIR;
const std::string kFonts = "/usr/share/fonts/truetype/dejavu";

// The first screen of a laptop: what a reader sees before scrolling.
constexpr std::uint32_t kWidth = 1280;
constexpr std::uint32_t kHeight = 900;
// A pixel differs when a channel moved by more than this (anti-aliasing and colour rounding
// move edges by a few levels; a moved or changed glyph, bar or box by far more)...
constexpr int kChannelTolerance = 48;
// ...and the screen differs when more than this share of its pixels do: 0.2 % is 2304 pixels,
// less than one changed line of text (a 14 px line of 60 characters is ~6000 changed pixels).
constexpr double kPixelShareTolerance = 0.002;

struct ScreenCase {
  const char* golden_case;  // tests/golden/cases/<this>/report.html, screens/<this>.png
};

void PrintTo(const ScreenCase& screen, std::ostream* out) { *out << screen.golden_case; }

class ReportScreenshotTest : public ::testing::TestWithParam<ScreenCase> {
 protected:
  TempDir dir_;
};

// Where a failing comparison leaves the fresh screenshot and a map of the differing pixels, for
// the reviewer: under the directory ctest runs the test in (build/ci/tests).
fs::path failureDir() { return fs::current_path() / "screenshot-diffs"; }

// Only DejaVu, and the generic families the page asks for mapped onto it as Debian's own
// fontconfig does, so that other fonts a machine has installed change nothing.
std::string fontConfig(const TempDir& dir) {
  const std::string path = dir.path("fonts.conf");
  std::ofstream out(path);
  out << "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n"
      << "<dir>" << kFonts << "</dir>\n<cachedir>" << dir.path("font-cache") << "</cachedir>\n";
  // Chromium asks for its default families by name (Arial, Times New Roman, ...), the page for
  // generic ones: each one DejaVu family, as Debian's fontconfig resolves them with DejaVu only.
  const std::pair<const char*, const char*> kFamilies[] = {
      {"sans-serif", "DejaVu Sans"},     {"system-ui", "DejaVu Sans"},
      {"Arial", "DejaVu Sans"},          {"Helvetica", "DejaVu Sans"},
      {"serif", "DejaVu Serif"},         {"Times New Roman", "DejaVu Serif"},
      {"monospace", "DejaVu Sans Mono"}, {"Courier New", "DejaVu Sans Mono"}};
  for (const auto& [asked, family] : kFamilies) {
    out << "<alias binding=\"same\"><family>" << asked << "</family><prefer><family>" << family
        << "</family></prefer></alias>\n";
  }
  // Anything else (and an empty request) gets DejaVu Sans too, not the first font on disk.
  out << "<match target=\"pattern\"><edit name=\"family\" mode=\"append_last\"><string>"
         "DejaVu Sans</string></edit></match>\n";
  out << "</fontconfig>\n";
  return path;
}

TEST_P(ReportScreenshotTest, FirstScreenMatchesTheReviewedImage) {
  ASSERT_TRUE(fs::exists(kChromium)) << kChromium << " is missing: run scripts/setup.sh";
  ASSERT_TRUE(fs::is_directory(kFonts))
      << kFonts << " is missing: run scripts/setup.sh (it installs fonts-dejavu-core)";
  const std::string name = GetParam().golden_case;
  const std::string page = kSourceDir + "/tests/golden/cases/" + name + "/report.html";
  const std::string golden = kSourceDir + "/tests/golden/screens/" + name + ".png";
  ASSERT_TRUE(fs::exists(page)) << page;

  const std::string shot = dir_.path("shot.png");
  const CommandResult chromium =
      runChromium(page, dir_.path("profile"), screenshotTask(shot, kWidth, kHeight),
                  "FONTCONFIG_FILE=" + shellQuote(fontConfig(dir_)) + " ");
  ASSERT_EQ(chromium.exit_code, 0) << chromium.err;
  const testkit::PngImage fresh = testkit::readPng(shot);
  ASSERT_EQ(fresh.width, kWidth);
  ASSERT_EQ(fresh.height, kHeight);

  // scripts/update-golden.sh: the fresh image becomes the golden one, to be reviewed in the diff.
  if (std::getenv("CAMWATCH_UPDATE_SCREENS") != nullptr) {
    fs::create_directories(fs::path(golden).parent_path());
    fs::copy_file(shot, golden, fs::copy_options::overwrite_existing);
    return;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing: scripts/update-golden.sh makes it";
  const testkit::PngImage expected = testkit::readPng(golden);
  ASSERT_EQ(expected.width, fresh.width);
  ASSERT_EQ(expected.height, fresh.height);

  // Differing pixels, their bounding box, and a map: differing pixels red on a faded copy.
  testkit::PngImage diff = fresh;
  std::uint64_t differing = 0;
  std::uint32_t left = kWidth, top = kHeight, right = 0, bottom = 0;
  for (std::uint32_t y = 0; y < kHeight; ++y) {
    for (std::uint32_t x = 0; x < kWidth; ++x) {
      const std::size_t at = (std::size_t{y} * kWidth + x) * 3;
      int worst = 0;
      for (std::size_t k = 0; k < 3; ++k) {
        worst = std::max(worst, std::abs(int{fresh.rgb[at + k]} - int{expected.rgb[at + k]}));
        diff.rgb[at + k] = static_cast<std::uint8_t>(191 + fresh.rgb[at + k] / 4);
      }
      if (worst <= kChannelTolerance) continue;
      ++differing;
      left = std::min(left, x);
      top = std::min(top, y);
      right = std::max(right, x);
      bottom = std::max(bottom, y);
      diff.rgb[at] = 230;
      diff.rgb[at + 1] = 0;
      diff.rgb[at + 2] = 0;
    }
  }
  const auto allowed = static_cast<std::uint64_t>(kPixelShareTolerance * kWidth * kHeight);
  if (differing > allowed) {
    fs::create_directories(failureDir());
    const fs::path kept = failureDir() / (name + ".png");
    const fs::path map = failureDir() / (name + "-diff.png");
    fs::copy_file(shot, kept, fs::copy_options::overwrite_existing);
    testkit::writePng(map.string(), diff);
    ADD_FAILURE() << differing << " pixels differ from " << golden << " (at most " << allowed
                  << " may), within x " << left << ".." << right << ", y " << top << ".." << bottom
                  << ". This screenshot: " << kept.string() << "; the differing pixels "
                  << "in red: " << map.string() << ". If the change is intended, run "
                  << "scripts/update-golden.sh and review the image in the diff.";
  }
}

INSTANTIATE_TEST_SUITE_P(GoldenReports, ReportScreenshotTest,
                         ::testing::Values(ScreenCase{"demo-example"},
                                           ScreenCase{"demo-ground-truth"}),
                         [](const ::testing::TestParamInfo<ScreenCase>& param) {
                           std::string name = param.param.golden_case;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace camwatch::integration
