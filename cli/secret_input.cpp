#include "cli/secret_input.h"

#include <openssl/crypto.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

namespace epurse::cli {
namespace {

// A PIN or passphrase longer than this is a file given by mistake (a key, a log).
constexpr std::size_t kMaxSecretSize = 1024;

Result<Secret> fromFile(const SecretSource& source) {
  std::ifstream in(*source.file, std::ios::binary);
  if (!in) {
    return makeError(ErrorCode::kIo, "cannot read the " + source.what + " from " + *source.file + " (" +
                                         source.fileOption + "): " + std::strerror(errno));
  }
  std::string text;
  char c;
  while (in.get(c)) {
    if (text.size() >= kMaxSecretSize + 2) {
      Secret wipe(std::move(text));
      return makeError(ErrorCode::kInvalidArgument, "the " + source.what + " file " + *source.file +
                                                        " is far too long to hold a " + source.what);
    }
    text += c;
  }
  return Secret(stripOneNewline(std::move(text)));
}

// Echo off for as long as it lives; restored even when reading fails.
class EchoOff {
 public:
  EchoOff() {
    if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

Result<Secret> fromTerminal(const std::string& prompt) {
  // Echo goes off before the prompt appears: whatever is typed once it shows is never echoed
  // (switching after it would echo, then flush, what a quick typist already typed).
  EchoOff quiet;
  std::cerr << prompt << ": " << std::flush;
  std::string text;
  if (!std::getline(std::cin, text)) {
    Secret wipe(std::move(text));
    return makeError(ErrorCode::kInvalidArgument, "no input where the " + prompt + " was asked for");
  }
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return Secret(std::move(text));
}

Status refuseEmpty(const SecretSource& source, const Secret& secret) {
  if (secret.empty() && !source.allowEmpty) {
    return makeError(ErrorCode::kInvalidArgument, "an empty " + source.what + " is refused");
  }
  return Status::ok();
}

Status needTerminal(const SecretSource& source) {
  if (::isatty(STDIN_FILENO)) return Status::ok();
  return makeError(ErrorCode::kInvalidArgument, "the " + source.what +
                                                    " is read without echo from a terminal, and stdin is not one: "
                                                    "give it in a file with " +
                                                    source.fileOption + " FILE" +
                                                    (source.environment ? std::string(" or in the environment variable ") +
                                                                              source.environment
                                                                        : std::string()));
}

}  // namespace

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();
    text_ = std::move(other.text_);
    other.wipe();
  }
  return *this;
}

void Secret::wipe() {
  if (!text_.empty()) OPENSSL_cleanse(text_.data(), text_.size());
  text_.clear();
}

std::string stripOneNewline(std::string text) {
  if (!text.empty() && text.back() == '\n') {
    text.pop_back();
    if (!text.empty() && text.back() == '\r') text.pop_back();
  }
  return text;
}

Result<Secret> readSecret(const SecretSource& source) {
  Result<Secret> secret = makeError(ErrorCode::kInternal, "unread");
  const char* fromEnvironment = source.environment ? std::getenv(source.environment) : nullptr;
  if (source.file) {
    secret = fromFile(source);
  } else if (fromEnvironment != nullptr) {
    secret = Secret(std::string(fromEnvironment));
  } else {
    if (Status s = needTerminal(source); !s) return s.error();
    std::string prompt = source.what;
    if (source.allowEmpty) prompt += " (empty for none)";
    secret = fromTerminal(prompt);
  }
  if (!secret) return secret;
  if (Status s = refuseEmpty(source, *secret); !s) return s.error();
  return secret;
}

Result<Secret> readNewSecret(const SecretSource& source) {
  if (source.file || (source.environment && std::getenv(source.environment))) return readSecret(source);
  auto first = readSecret(source);
  if (!first) return first;
  SecretSource again = source;
  again.what = source.what + " again";
  auto second = readSecret(again);
  if (!second) return second;
  if (first->text() != second->text()) {
    return makeError(ErrorCode::kInvalidArgument, "the two " + source.what + "s differ; nothing was changed");
  }
  return first;
}

}  // namespace epurse::cli
