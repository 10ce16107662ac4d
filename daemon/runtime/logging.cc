#include "runtime/logging.h"

#include <unistd.h>

#include <memory>
#include <string>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace camwatch {
namespace {

constexpr auto kInvalidUtf8 = nlohmann::json::error_handler_t::replace;

// The payload split into its message and (possibly empty) serialized fields.
std::pair<std::string_view, std::string_view> splitPayload(const spdlog::details::log_msg& msg) {
  const std::string_view payload(msg.payload.data(), msg.payload.size());
  const std::size_t at = payload.rfind(kLogFieldsSeparator);
  if (at == std::string_view::npos) return {payload, {}};
  return {payload.substr(0, at), payload.substr(at + 1)};
}

// %v for text lines: the message without its fields.
class TextMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*time*/,
              spdlog::memory_buf_t& dest) override {
    const std::string_view message = splitPayload(msg).first;
    dest.append(message.data(), message.data() + message.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TextMessageFlag>();
  }
};

// For JSON lines: `"message":"...","pid":N,"thread":N` then each field, comma-separated (the
// pattern puts the braces and time and level around it).
class JsonBodyFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*time*/,
              spdlog::memory_buf_t& dest) override {
    const auto [message, fields] = splitPayload(msg);
    nlohmann::ordered_json body;
    body["message"] = std::string(message);
    body["pid"] = static_cast<long>(::getpid());
    body["thread"] = msg.thread_id;
    if (!fields.empty()) {
      const auto parsed = nlohmann::ordered_json::parse(fields, nullptr, false);
      if (parsed.is_object()) {
        for (const auto& [key, value] : parsed.items()) {
          // Never overwrite the line's own keys with a field of the same name.
          if (key != "time" && key != "level" && !body.contains(key)) body[key] = value;
        }
      }
    }
    const std::string text = body.dump(-1, ' ', false, kInvalidUtf8);
    // Without the object's own braces: the pattern has them.
    dest.append(text.data() + 1, text.data() + text.size() - 1);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonBodyFlag>();
  }
};

}  // namespace

void setUpLogging(const LoggingConfig& logging) {
  auto logger = std::make_shared<spdlog::logger>("camwatch",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (logging.format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc,
                                                                 std::string("\n"));
    formatter->add_flag<JsonBodyFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%*})");
    logger->set_formatter(std::move(formatter));
  } else {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<TextMessageFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l: %*");
    logger->set_formatter(std::move(formatter));
  }
  logger->set_level(spdlog::level::from_str(logging.level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

void logWith(spdlog::level::level_enum level, const LogFields& fields, std::string_view message) {
  if (!spdlog::should_log(level)) return;
  if (!fields.is_object() || fields.empty()) {
    spdlog::log(level, "{}", message);
    return;
  }
  spdlog::log(level, "{}{}{}", message, kLogFieldsSeparator,
              fields.dump(-1, ' ', false, kInvalidUtf8));
}

}  // namespace camwatch
