#include "tests/support/fake_vpcd.h"
#include "tests/support/raw_bytes.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace epurse::testing {
namespace {

Error sysError(const std::string& what) { return makeError(ErrorCode::kIo, what + ": " + std::strerror(errno)); }

Status sendAll(int fd, const std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return sysError("send");
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<FakeVpcd>> FakeVpcd::listen(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return sysError("socket");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 1) != 0) {
    Error e = sysError("bind/listen");
    ::close(fd);
    return e;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return std::unique_ptr<FakeVpcd>(new FakeVpcd(fd, ntohs(addr.sin_port)));
}

FakeVpcd::~FakeVpcd() {
  closeClient();
  closeListener();
}

void FakeVpcd::closeClient() {
  if (client_ >= 0) ::close(client_);
  client_ = -1;
}

void FakeVpcd::closeListener() {
  if (listener_ >= 0) ::close(listener_);
  listener_ = -1;
}

Status FakeVpcd::accept(std::chrono::milliseconds timeout) {
  pollfd p{listener_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) {
    return makeError(ErrorCode::kTimeout, "no card connected");
  }
  closeClient();
  client_ = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
  if (client_ < 0) return sysError("accept");
  const int one = 1;
  ::setsockopt(client_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return Status::ok();
}

Status FakeVpcd::send(ByteView payload, Split split) {
  Bytes frame;
  appendU16(frame, static_cast<std::uint16_t>(payload.size()));
  appendBytes(frame, payload);
  switch (split) {
    case Split::kOneWrite: return sendAll(client_, frame.data(), frame.size());
    case Split::kLikeVpcd:
      if (Status s = sendAll(client_, frame.data(), 2); !s) return s;
      return sendAll(client_, frame.data() + 2, frame.size() - 2);
    case Split::kByteByByte:
      for (std::uint8_t b : frame) {
        if (Status s = sendAll(client_, &b, 1); !s) return s;
        ::usleep(200);
      }
      return Status::ok();
  }
  return Status::ok();
}

Status FakeVpcd::readExactly(std::uint8_t* out, std::size_t n, std::chrono::steady_clock::time_point deadline) {
  std::size_t got = 0;
  while (got < n) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{client_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      return makeError(ErrorCode::kTimeout, "card sent nothing");
    }
    const ssize_t r = ::recv(client_, out + got, n - got, 0);
    if (r == 0) return makeError(ErrorCode::kCardRemoved, "card closed the connection");
    if (r < 0) {
      if (errno == EINTR) continue;
      return sysError("recv");
    }
    got += static_cast<std::size_t>(r);
  }
  return Status::ok();
}

Result<Bytes> FakeVpcd::receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::uint8_t len[2];
  if (Status s = readExactly(len, 2, deadline); !s) return s.error();
  Bytes payload(loadU16(len));
  if (Status s = readExactly(payload.data(), payload.size(), deadline); !s) return s.error();
  return payload;
}

Result<Bytes> FakeVpcd::exchange(ByteView payload, std::chrono::milliseconds timeout) {
  if (Status s = send(payload); !s) return s.error();
  return receive(timeout);
}

bool FakeVpcd::staysQuiet(std::chrono::milliseconds quiet) {
  pollfd p{client_, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(quiet.count())) == 0;
}

}  // namespace epurse::testing
