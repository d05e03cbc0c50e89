// Fuzz target for the vpcd link's framing (card/vpcd/vpcd_link.h, vpcd_protocol.h): a byte
// stream from "vpcd", cut into chunks where the input says, read with VpcdLink::readMessage
// until the stream ends. Whatever arrives, the link must:
//   - never crash or read out of bounds (the sanitizers);
//   - yield exactly the frames a reference parse of the unsplit stream finds, however the
//     stream was cut: no frame merged, split, shortened or read past;
//   - end with kCardRemoved when the stream ends between frames and kProtocol when it ends
//     inside one;
//   - write back, for each frame, exactly the bytes it was read from (writeMessage).
//
// Input: byte 0 = n (low 4 bits), then n chunk lengths (each byte + 1), then the stream.
// The chunks are sent in turn by a writer thread, so the reader sees the stream arrive in
// pieces; with n = 0 the stream is sent in one write.
// Built with standalone_fuzz_driver.cpp for ctest, and as vpcd_libfuzzer with clang.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

#include "base/byte_codec.h"
#include "card/vpcd/vpcd_link.h"
#include "card/vpcd/vpcd_protocol.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace epurse;

// Bigger inputs add nothing to the framing but time.
constexpr std::size_t kMaxStream = 16 * 1024;

struct ReferenceParse {
  std::vector<Bytes> frames;
  std::size_t consumed = 0;   // bytes of the stream the frames span
  bool endsInside = false;    // bytes left over that make no whole frame
};

// Written from vpcd_protocol.h's description, independently of vpcd_link.cpp.
ReferenceParse referenceParse(ByteView stream) {
  ReferenceParse p;
  std::size_t pos = 0;
  while (stream.size() - pos >= card::vpcd::kLengthSize) {
    const std::size_t length = std::size_t{stream[pos]} << 8 | stream[pos + 1];
    if (stream.size() - pos - card::vpcd::kLengthSize < length) break;
    const auto* begin = stream.data() + pos + card::vpcd::kLengthSize;
    p.frames.emplace_back(begin, begin + length);
    pos += card::vpcd::kLengthSize + length;
  }
  p.consumed = pos;
  p.endsInside = pos != stream.size();
  return p;
}

void sendAll(int fd, const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

Bytes receiveAll(int fd) {
  Bytes out;
  std::uint8_t buffer[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return out;
    out.insert(out.end(), buffer, buffer + n);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunkCount = data[0] & 0x0F;
  if (size < 1 + chunkCount) return 0;
  std::vector<std::size_t> chunks;
  for (std::size_t i = 0; i < chunkCount; ++i) chunks.push_back(std::size_t{data[1 + i]} + 1);
  const ByteView stream(data + 1 + chunkCount, std::min(size - 1 - chunkCount, kMaxStream));
  const ReferenceParse expected = referenceParse(stream);

  int fds[2];
  FUZZ_CHECK(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  const int vpcdEnd = fds[1];
  std::thread vpcd([&] {
    std::size_t pos = 0;
    for (std::size_t i = 0; pos < stream.size(); ++i) {
      const std::size_t n = chunks.empty() ? stream.size() : std::min(chunks[i % chunks.size()], stream.size() - pos);
      sendAll(vpcdEnd, stream.data() + pos, n);
      pos += n;
    }
    ::shutdown(vpcdEnd, SHUT_WR);
  });

  std::vector<Bytes> frames;
  ErrorCode end = ErrorCode::kInternal;
  {
    card::VpcdLink link(fds[0]);
    for (;;) {
      auto message = link.readMessage(-1);
      if (!message) {
        end = message.error().code;
        break;
      }
      FUZZ_CHECK(frames.size() < expected.frames.size());
      frames.push_back(std::move(*message));
    }
    vpcd.join();
    FUZZ_CHECK(frames == expected.frames);
    FUZZ_CHECK(end == (expected.endsInside ? ErrorCode::kProtocol : ErrorCode::kCardRemoved));

    // Read while writing: thousands of tiny frames fill a socket's buffer (it is counted per
    // send, not per byte) long before their bytes would, and a writer nobody reads blocks.
    Bytes written;
    std::thread reader([&] { written = receiveAll(vpcdEnd); });
    for (const Bytes& frame : frames) FUZZ_CHECK(link.writeMessage(frame).isOk());
    ::shutdown(fds[0], SHUT_WR);
    reader.join();
    FUZZ_CHECK(written.size() == expected.consumed);
    FUZZ_CHECK(std::equal(written.begin(), written.end(), stream.begin()));
  }  // closes fds[0]
  ::close(vpcdEnd);
  return 0;
}
