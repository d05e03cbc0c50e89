// Secrets (PINs, the key's passphrase) come from the terminal without echo, from a file the
// operator names (--pin-file, --passphrase-file, --new-pin-file) or, for scripts, from an
// environment variable the program names (EPURSE_PIN), never from the command line, where
// every user of the machine can read them in the process list. Nothing here prints or
// logs a secret; a Secret wipes its bytes when it goes.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"

namespace epurse::cli {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string text) : text_(std::move(text)) {}
  Secret(Secret&& other) noexcept : text_(std::move(other.text_)) { other.wipe(); }
  Secret& operator=(Secret&& other) noexcept;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  ~Secret() { wipe(); }

  const std::string& text() const { return text_; }
  bool empty() const { return text_.empty(); }

 private:
  void wipe();
  std::string text_;
};

struct SecretSource {
  std::string what;          // "PIN", "passphrase": for prompts and errors
  std::string fileOption;    // "--pin-file": named in the error when stdin is not a terminal
  std::optional<std::string> file;  // the option's value, if given
  bool allowEmpty = false;   // the passphrase of an unencrypted key may be empty
  const char* environment = nullptr;  // "EPURSE_PIN": read when set and no file is given
};

// From `source.file` when given (one trailing newline stripped), else from the environment
// variable when it is set (its value as it is), else from the terminal with
// echo off, prompting "WHAT: " on stderr. kInvalidArgument when stdin is not a terminal and no
// file is given (the message names the option to use), or when the secret is empty and that
// is not allowed; kIo when the file cannot be read.
Result<Secret> readSecret(const SecretSource& source);

// The same, asked twice on a terminal, which must match (a new PIN, a new passphrase): a typo
// in an unseen secret would otherwise lock the operator out.
Result<Secret> readNewSecret(const SecretSource& source);

// What a file holds once one trailing "\n" (or "\r\n") is stripped; for tests.
std::string stripOneNewline(std::string text);

}  // namespace epurse::cli
