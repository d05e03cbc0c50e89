#include "issuer/signing/issuer_key.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

#include "base/durable_file.h"
#include "protocol/card_certificate.h"

namespace epurse::issuer {
namespace {

constexpr mode_t kPrivateKeyMode = 0600;
constexpr mode_t kPublicKeyMode = 0644;
// A P-256 PEM key is a few hundred bytes; a much larger file is not one.
constexpr std::size_t kMaxKeyFileSize = 64 * 1024;
constexpr std::string_view kEncryptedPemHeader = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
constexpr std::string_view kLegacyEncryptedPemHeader = "Proc-Type: 4,ENCRYPTED";

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

// Whatever OpenSSL left in its error queue, as one clause; the queue is emptied so that a
// later, unrelated failure does not report this one.
std::string openSslReason() {
  const unsigned long code = ERR_peek_last_error();
  std::string reason;
  if (code != 0) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    reason = text;
  }
  ERR_clear_error();
  return reason.empty() ? "no detail from OpenSSL" : reason;
}

// Key material is wiped when the buffer goes.
struct SecretBuffer {
  Bytes bytes;
  ~SecretBuffer() {
    if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
  }
};

Status readKeyFile(const std::string& path, SecretBuffer& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return makeError(ErrorCode::kIo, "cannot open issuer key " + path + ": " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return makeError(ErrorCode::kIo, "issuer key " + path + " is not a regular file");
  }
  if (static_cast<std::size_t>(info.st_size) > kMaxKeyFileSize) {
    ::close(fd);
    return makeError(ErrorCode::kMalformed, "issuer key " + path + " is far too large to be a PEM key");
  }
  out.bytes.resize(static_cast<std::size_t>(info.st_size));
  std::size_t done = 0;
  while (done < out.bytes.size()) {
    const ssize_t n = ::read(fd, out.bytes.data() + done, out.bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return makeError(ErrorCode::kIo, "cannot read issuer key " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;  // shrank while we read: parse what is there
    done += static_cast<std::size_t>(n);
  }
  out.bytes.resize(done);
  ::close(fd);
  return Status::ok();
}

bool contains(const Bytes& text, std::string_view needle) {
  return std::search(text.begin(), text.end(), needle.begin(), needle.end()) != text.end();
}

// OpenSSL's default would prompt on the controlling terminal; a key file is either readable
// as it is or refused.
int refusePassphrase(char*, int, int, void*) { return -1; }

Result<Bytes> pemOf(int (*write)(BIO*, const EVP_PKEY*), const EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || write(bio.get(), key) != 1) {
    return makeError(ErrorCode::kInternal, "OpenSSL could not write the key as PEM: " + openSslReason());
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  if (size <= 0 || !data) return makeError(ErrorCode::kInternal, "OpenSSL wrote an empty PEM");
  Bytes out(reinterpret_cast<const std::uint8_t*>(data), reinterpret_cast<const std::uint8_t*>(data) + size);
  OPENSSL_cleanse(data, static_cast<std::size_t>(size));
  return out;
}

int writePrivatePem(BIO* bio, const EVP_PKEY* key) {
  return PEM_write_bio_PKCS8PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
}

// The passphrase for OpenSSL's reader, handed over once; a key that needs none ignores it.
int givePassphrase(char* buffer, int size, int, void* user) {
  const auto* passphrase = static_cast<const std::string*>(user);
  if (passphrase->size() > static_cast<std::size_t>(size)) return -1;
  std::memcpy(buffer, passphrase->data(), passphrase->size());
  return static_cast<int>(passphrase->size());
}

int writePublicPem(BIO* bio, const EVP_PKEY* key) { return PEM_write_bio_PUBKEY(bio, key); }

}  // namespace

IssuerKey::IssuerKey(protocol::EcPrivateKey key, protocol::EcPublicKey publicKey)
    : key_(std::move(key)), publicKey_(std::move(publicKey)), keyId_(protocol::issuerKeyIdOf(key_.publicKey())) {}

Result<IssuerKey> IssuerKey::fromPrivateKey(protocol::EcPrivateKey key) {
  auto publicKey = protocol::EcPublicKey::fromUncompressed(key.publicKey());
  if (!publicKey) return makeError(ErrorCode::kInternal, "the issuer key's public point does not load");
  return IssuerKey(std::move(key), std::move(*publicKey));
}

Result<IssuerKey> IssuerKey::generate() {
  auto key = protocol::EcPrivateKey::generate();
  if (!key) return key.error();
  return fromPrivateKey(std::move(*key));
}

bool IssuerKey::isEncryptedPem(ByteView pemText) {
  const Bytes text(pemText.begin(), pemText.end());
  return contains(text, kEncryptedPemHeader) || contains(text, kLegacyEncryptedPemHeader);
}

Result<IssuerKey> IssuerKey::loadPem(const std::string& path, const std::optional<std::string>& passphrase) {
  if (!passphrase) return loadPem(path);
  SecretBuffer file;
  if (Status s = readKeyFile(path, file); !s) return s;
  if (file.bytes.empty()) return makeError(ErrorCode::kMalformed, "issuer key " + path + " is empty");
  BioPtr bio(BIO_new_mem_buf(file.bytes.data(), static_cast<int>(file.bytes.size())), BIO_free);
  if (!bio) return makeError(ErrorCode::kInternal, "OpenSSL could not allocate a buffer");
  std::string given = *passphrase;
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, givePassphrase, &given);
  OPENSSL_cleanse(given.data(), given.size());
  if (!raw) {
    ERR_clear_error();
    return makeError(ErrorCode::kCorrupt, "issuer key " + path + ": wrong passphrase or damaged key file");
  }
  ERR_clear_error();
  auto key = protocol::EcPrivateKey::adopt(raw);
  if (!key) return makeError(key.error().code, "issuer key " + path + ": " + key.error().message);
  return fromPrivateKey(std::move(*key));
}

Result<IssuerKey> IssuerKey::loadPem(const std::string& path) {
  SecretBuffer file;
  if (Status s = readKeyFile(path, file); !s) return s;
  if (file.bytes.empty()) return makeError(ErrorCode::kMalformed, "issuer key " + path + " is empty");
  if (contains(file.bytes, kEncryptedPemHeader) || contains(file.bytes, kLegacyEncryptedPemHeader)) {
    return makeError(ErrorCode::kMalformed,
                     "issuer key " + path + " is encrypted; the issuer key file is stored unencrypted, mode 0600");
  }
  BioPtr bio(BIO_new_mem_buf(file.bytes.data(), static_cast<int>(file.bytes.size())), BIO_free);
  if (!bio) return makeError(ErrorCode::kInternal, "OpenSSL could not allocate a buffer");
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, refusePassphrase, nullptr);
  if (!raw) {
    return makeError(ErrorCode::kMalformed,
                     "issuer key " + path + " holds no PEM private key (" + openSslReason() + ")");
  }
  ERR_clear_error();
  auto key = protocol::EcPrivateKey::adopt(raw);  // owns `raw` from here, even on failure
  if (!key) return makeError(key.error().code, "issuer key " + path + ": " + key.error().message);
  return fromPrivateKey(std::move(*key));
}

Status IssuerKey::savePem(const std::string& path) const {
  auto pem = pemOf(writePrivatePem, key_.pkey());
  if (!pem) return pem.status();
  SecretBuffer secret{std::move(*pem)};
  return writeFileDurably(path, secret.bytes, kPrivateKeyMode, IfExists::kRefuse);
}

Status IssuerKey::savePem(const std::string& path, const std::optional<std::string>& passphrase) const {
  if (!passphrase || passphrase->empty()) return savePem(path);
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  std::string given = *passphrase;
  const int written =
      bio ? PEM_write_bio_PKCS8PrivateKey(bio.get(), key_.pkey(), EVP_aes_256_cbc(), nullptr, 0, givePassphrase, &given)
          : 0;
  OPENSSL_cleanse(given.data(), given.size());
  if (written != 1) {
    return makeError(ErrorCode::kInternal, "OpenSSL could not write the encrypted key: " + openSslReason());
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  if (size <= 0 || !data) return makeError(ErrorCode::kInternal, "OpenSSL wrote an empty PEM");
  SecretBuffer pem{Bytes(reinterpret_cast<const std::uint8_t*>(data), reinterpret_cast<const std::uint8_t*>(data) + size)};
  OPENSSL_cleanse(data, static_cast<std::size_t>(size));
  return writeFileDurably(path, pem.bytes, kPrivateKeyMode, IfExists::kRefuse);
}

Status IssuerKey::savePublicPem(const std::string& path) const {
  auto pem = pemOf(writePublicPem, publicKey_.pkey());
  if (!pem) return pem.status();
  return writeFileDurably(path, *pem, kPublicKeyMode, IfExists::kRefuse);
}

}  // namespace epurse::issuer
