#include "integration/chromium_run.h"

#include <utility>
#include <vector>

namespace camwatch::integration {

CommandResult runChromium(const std::string& page, const std::string& profile_dir,
                          HeadlessChromiumTask task, const std::string& environment) {
  // The tests look for the page's console errors in what the browser prints.
  task.console_on_stderr = true;
  std::string command = environment + "timeout -k 5 60";
  for (const std::string& arg : headlessChromiumArgs(kChromium, profile_dir, page, task)) {
    command += " " + shellQuote(arg);
  }
  return runCommand(command);
}

}  // namespace camwatch::integration
