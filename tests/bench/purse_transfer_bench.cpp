// A full Mondex transfer end to end (terminal::runTransfer: GET DATA of both purses, START
// FROM, START TO, REQ, VAL, ACK), against floors measured in the same run:
//
//   in process, card images on disk   vs  crypto floor + fsync floor
//   in process, in-memory Env         vs  crypto floor (the CPU overhead of everything else)
//   through pcscd + vpcd, two card    vs  the same APDU round trips to a bare vpcd responder
//   processes in two readers              + crypto floor + fsync floor
//
// The crypto floor is exactly the OpenSSL work the two cards do per transfer: 3 ECDSA P-256
// signatures (REQ, VAL, ACK) and 5 verifications (the two certificates at START, REQ, VAL,
// ACK), on parsed keys and the real message sizes. The fsync floor is what 5 durable commits
// physically need: 5 x (pwrite of one slot, alternating between the two slots of an image-sized
// file, + fdatasync), in the same directory as the card images. The disk is noisy, so the
// transfers and their floors run in interleaved rounds and are compared by their medians.
// Also prints the purse's persistent state size (it must fit a real card's 16 KiB). Prints
// figures, ratios and target verdicts; exits non-zero only on errors, never on time.
//
// Run through tests/pcsc/with-private-pcscd.sh (it exports EPURSE_VPCD_PORT).
//   purse_transfer_bench [--quick]
#include <fcntl.h>
#include <signal.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "apdu/pcsc_channel.h"
#include "base/hex.h"
#include "card/persistence/transaction_store.h"
#include "card/purse/purse_applet.h"
#include "card/runtime/card_os.h"
#include "card/runtime/in_process_channel.h"
#include "host/purse_client.h"
#include "protocol/ec_key.h"
#include "protocol/signed_payloads.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/bench/bench_support.h"
#include "tests/support/child_process.h"
#include "tests/support/fault_injection_env.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/raw_bytes.h"

using namespace epurse;
using bench::die;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

constexpr protocol::Amount kValue = 100;     // below the no-PIN limit: no VERIFY in the transfer
constexpr protocol::Amount kLoaded = 50000;  // on purse A; transfers alternate A->B, B->A
constexpr int kCommitsPerTransfer = 5;       // START FROM, START TO, REQ, VAL, ACK
constexpr int kSignsPerTransfer = 3;         // REQ (payee), VAL (payer), ACK (payee)
constexpr int kVerifiesPerTransfer = 5;      // 2 certificates, REQ, VAL, ACK
constexpr double kPcscTargetMs = 3.0;
constexpr double kInProcessTargetRatio = 1.3;
constexpr std::size_t kRealCardBytes = 16 * 1024;
constexpr long kTmpfsMagic = 0x01021994;

const std::size_t kCapacity = card::CardOs::capacityFor(card::PurseApplet().persistentSize());
const std::size_t kSlotSize = card::TransactionStore::kSlotHeaderSize + kCapacity;

fs::path scratchDir;  // removed at exit, whatever the exit

double since(Clock::time_point t0) { return std::chrono::duration<double, std::micro>(Clock::now() - t0).count(); }

// Counts the raw exchanges under a purse client (GET RESPONSE included), and can record them.
class CountingChannel final : public CardChannel {
 public:
  explicit CountingChannel(CardChannel& inner) : inner_(&inner) {}
  Result<Bytes> transmitRaw(ByteView command) override {
    ++exchanges;
    if (command.size() >= 2 && command[1] == kInsGetResponse) ++getResponses;
    if (record) record->push_back(Bytes(command.begin(), command.end()));
    return inner_->transmitRaw(command);
  }
  std::uint64_t exchanges = 0;
  std::uint64_t getResponses = 0;
  std::vector<Bytes>* record = nullptr;

 private:
  CardChannel* inner_;
};

// A purse card in this process: store, card OS with the purse applet, channel, client.
struct InProcessPurse {
  std::unique_ptr<card::TransactionStore> store;
  std::unique_ptr<card::CardOs> os;
  std::unique_ptr<card::InProcessChannel> raw;
  std::unique_ptr<CountingChannel> channel;
  std::unique_ptr<host::PurseClient> client;
};

std::unique_ptr<InProcessPurse> openInProcess(card::Env& env, const std::string& path) {
  auto p = std::make_unique<InProcessPurse>();
  card::TransactionStore::Options options;
  options.capacityForNewImage = kCapacity;
  auto store = card::TransactionStore::open(env, path, options);
  if (!store) die("card image " + path + ": " + store.error().toString());
  p->store = std::move(*store);
  p->os = std::make_unique<card::CardOs>(*p->store, card::CardConfig{});
  if (Status s = p->os->install(Bytes(protocol::kPurseAid.begin(), protocol::kPurseAid.end()),
                                std::make_unique<card::PurseApplet>());
      !s) {
    die("install: " + s.error().toString());
  }
  if (Status s = p->os->start(); !s) die("card start: " + s.error().toString());
  p->raw = std::make_unique<card::InProcessChannel>(*p->os);
  p->channel = std::make_unique<CountingChannel>(*p->raw);
  p->client = std::make_unique<host::PurseClient>(*p->channel);
  if (auto s = p->client->select(); !s) die("select: " + s.error().toString());
  return p;
}

void personalise(testing::TestIssuer& issuer, host::PurseClient& purse, std::uint8_t n, protocol::Amount load) {
  try {
    testing::PurseProfile profile;
    profile.id = testing::testPurseId(n);
    issuer.personalise(purse, profile);
    if (load > 0) issuer.load(purse, load);
  } catch (const std::exception& e) {
    die(std::string("personalising purse ") + std::to_string(n) + ": " + e.what());
  }
}

protocol::PurseStatus statusOf(host::PurseClient& purse, const char* who) {
  auto s = purse.status();
  if (!s) die(std::string(who) + ": status: " + s.error().toString());
  return *s;
}

// Two purses that pass kValue back and forth; knows what their balances must be.
struct Pair {
  host::PurseClient* a = nullptr;
  host::PurseClient* b = nullptr;
  const char* name = "";
  bool aPays = true;
  std::uint64_t done = 0;
  std::uint8_t ref = 0;

  terminal::TransferReceipt transfer() {
    protocol::PurchaseReference reference{};
    reference[0] = ++ref;
    auto r = aPays ? terminal::runTransfer(*a, *b, kValue, reference)
                   : terminal::runTransfer(*b, *a, kValue, reference);
    if (!r) die(std::string(name) + ": transfer " + std::to_string(done + 1) + ": " + r.error().toString());
    aPays = !aPays;
    ++done;
    return *r;
  }
  double timedTransfer() {
    const auto t0 = Clock::now();
    transfer();
    return since(t0);
  }
  // Every transfer moved exactly kValue: A holds kLoaded or kLoaded - kValue.
  void checkBalances() {
    const protocol::Amount expectA = aPays ? kLoaded : kLoaded - kValue;
    const auto sa = statusOf(*a, name), sb = statusOf(*b, name);
    if (sa.balance != expectA || sb.balance != kLoaded - expectA) {
      die(std::string(name) + ": balances " + std::to_string(sa.balance) + " and " + std::to_string(sb.balance) +
          " after " + std::to_string(done) + " transfers, expected " + std::to_string(expectA) + " and " +
          std::to_string(kLoaded - expectA));
    }
  }
};

// The OpenSSL work of one transfer, as the two cards do it, on parsed keys.
class CryptoFloor {
 public:
  CryptoFloor(const protocol::PaymentDetails& pd, const protocol::CardCertificate& payerCert,
              const protocol::CardCertificate& payeeCert, const protocol::EcPublicKey& issuerKey)
      : payer_(generate()), payee_(generate()), payerPublic_(publicOf(payer_)), payeePublic_(publicOf(payee_)),
        issuer_(issuerKey), payerCertBody_(payerCert.body()), payerCertSig_(payerCert.signature),
        payeeCertBody_(payeeCert.body()), payeeCertSig_(payeeCert.signature),
        req_(protocol::transferPayload(protocol::TransferMessage::kReq, pd)),
        val_(protocol::transferPayload(protocol::TransferMessage::kVal, pd)),
        ack_(protocol::transferPayload(protocol::TransferMessage::kAck, pd)) {
    run();  // checks that every verification succeeds, as on the cards
  }

  void run() {
    ok(issuer_.verify(payeeCertBody_, payeeCertSig_), "payee certificate");  // START FROM, on the payer
    ok(issuer_.verify(payerCertBody_, payerCertSig_), "payer certificate");  // START TO, on the payee
    const Bytes reqSig = sign(payee_, req_);                                 // START TO: REQ
    ok(payeePublic_.verify(req_, reqSig), "REQ");                            // REQ, on the payer
    const Bytes valSig = sign(payer_, val_);                                 // REQ: VAL
    ok(payerPublic_.verify(val_, valSig), "VAL");                            // VAL, on the payee
    const Bytes ackSig = sign(payee_, ack_);                                 // VAL: ACK
    ok(payeePublic_.verify(ack_, ackSig), "ACK");                            // ACK, on the payer
  }

  std::size_t certBodySize() const { return payerCertBody_.size(); }
  std::size_t payloadSize() const { return req_.size(); }

 private:
  static protocol::EcPrivateKey generate() {
    auto k = protocol::EcPrivateKey::generate();
    if (!k) die("key generation: " + k.error().toString());
    return *k;
  }
  static protocol::EcPublicKey publicOf(const protocol::EcPrivateKey& k) {
    auto p = protocol::EcPublicKey::fromUncompressed(k.publicKey());
    if (!p) die("public key: " + p.error().toString());
    return *p;
  }
  static Bytes sign(const protocol::EcPrivateKey& key, const Bytes& message) {
    auto s = key.sign(message);
    if (!s) die("sign: " + s.error().toString());
    return *s;
  }
  static void ok(bool verified, const char* what) {
    if (!verified) die(std::string("crypto floor: ") + what + " does not verify");
  }

  protocol::EcPrivateKey payer_, payee_;
  protocol::EcPublicKey payerPublic_, payeePublic_;
  const protocol::EcPublicKey& issuer_;
  Bytes payerCertBody_, payerCertSig_, payeeCertBody_, payeeCertSig_;
  Bytes req_, val_, ack_;
};

// What 5 durable commits physically need: a whole slot written at alternating slot offsets
// of an image-sized file, each followed by fdatasync.
class FsyncFloor {
 public:
  explicit FsyncFloor(const fs::path& path) : path_(path), slot_(kSlotSize, 0x5A) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) die("cannot create " + path.string() + ": " + std::strerror(errno));
    const Bytes zeros(card::TransactionStore::imageSize(kCapacity), 0);
    if (::pwrite(fd_, zeros.data(), zeros.size(), 0) != static_cast<ssize_t>(zeros.size()) || ::fsync(fd_) != 0) {
      die("cannot prepare " + path.string());
    }
  }
  ~FsyncFloor() {
    ::close(fd_);
    fs::remove(path_);
  }
  FsyncFloor(const FsyncFloor&) = delete;
  FsyncFloor& operator=(const FsyncFloor&) = delete;

  void run() {
    for (int i = 0; i < kCommitsPerTransfer; ++i) {
      storeU64(slot_.data() + 8, ++generation_);
      const off_t offset = static_cast<off_t>(card::TransactionStore::kFileHeaderSize + (generation_ % 2) * kSlotSize);
      if (::pwrite(fd_, slot_.data(), slot_.size(), offset) != static_cast<ssize_t>(slot_.size())) die("pwrite failed");
      if (::fdatasync(fd_) != 0) die("fdatasync failed");
    }
  }

 private:
  fs::path path_;
  int fd_;
  Bytes slot_;
  std::uint64_t generation_ = 0;
};

struct FloorSample {
  double crypto, fsync;
};
FloorSample timeFloor(CryptoFloor& crypto, FsyncFloor& fsync) {
  auto t0 = Clock::now();
  crypto.run();
  const double c = since(t0);
  t0 = Clock::now();
  fsync.run();
  return {c, since(t0)};
}

// The current generation of a card image on disk (the higher of its two slots'), read while
// the card process runs: tells how many commits it made.
std::uint64_t imageGeneration(const fs::path& image) {
  std::ifstream in(image, std::ios::binary);
  const Bytes bytes((std::istreambuf_iterator<char>(in)), {});
  if (bytes.size() < card::TransactionStore::kFileHeaderSize) die("cannot read " + image.string());
  const std::size_t capacity = loadU32(bytes.data() + 12);
  if (capacity != kCapacity) {
    die(image.string() + " has " + std::to_string(capacity) + " bytes of memory, not the purse's");
  }
  std::uint64_t newest = 0;
  for (int slot = 0; slot < 2; ++slot) {
    const std::size_t at =
        card::TransactionStore::kFileHeaderSize + slot * (card::TransactionStore::kSlotHeaderSize + capacity);
    if (at + card::TransactionStore::kSlotHeaderSize > bytes.size() || std::memcmp(bytes.data() + at, "SLOT", 4) != 0) {
      continue;
    }
    newest = std::max(newest, loadU64(bytes.data() + at + 8));
  }
  return newest;
}

std::string filesystemOf(const fs::path& dir) {
  struct statfs st{};
  if (::statfs(dir.c_str(), &st) != 0) return "unknown file system";
  if (st.f_type == kTmpfsMagic) return "tmpfs (fsync is free here: NOT a disk's figures)";
  char hex[32];
  std::snprintf(hex, sizeof hex, "f_type 0x%lx", static_cast<unsigned long>(st.f_type));
  return std::string("a disk file system, ") + hex;
}

const char* verdict(bool met) { return met ? "met" : "NOT met"; }

// Microseconds as "us" with one decimal, or as "ms" with three.
void line(const char* label, const bench::Stats& s, bool ms = false) {
  const double k = ms ? 1e-3 : 1.0;
  const int d = ms ? 3 : 1;
  const char* unit = ms ? "ms" : "us";
  std::printf("  %-44s median %8.*f %s   p99 %8.*f %s   mean %8.*f %s\n", label, d, s.median * k, unit, d,
              s.p99 * k, unit, d, s.mean * k, unit);
}

// One card process of the PC/SC part, with its channel and client.
struct CardProcess {
  std::unique_ptr<testing::ChildProcess> process;
  std::unique_ptr<PcscChannel> pcsc;
  std::unique_ptr<CountingChannel> channel;
  std::unique_ptr<host::PurseClient> client;
};

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const std::uint16_t port = bench::vpcdPortFromEnv();
  const int rounds = quick ? 2 : 20;          // in process: interleaved rounds
  const int perRound = quick ? 5 : 50;        // transfers (and floor iterations) per round
  const int pcscBlocks = quick ? 1 : 4;       // PC/SC: blocks of transfers, each followed by a floor block
  const int pcscPerBlock = quick ? 10 : 100;  // >= 300 transfers in full mode
  const int warmup = quick ? 2 : 10;

  // Scratch under the build directory, so that fsync reaches the disk the build lives on.
  const fs::path dir = fs::path(EPURSE_BENCH_SCRATCH) / ("purse-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  scratchDir = dir;
  std::atexit([] {  // also when die() exits
    std::error_code ec;
    fs::remove_all(scratchDir, ec);
  });

  testing::TestIssuer issuer;
  const std::size_t persistentSize = card::PurseApplet().persistentSize();

  // ---- In process: two purses on real files, two in memory ----
  auto diskA = openInProcess(card::Env::posix(), (dir / "a.img").string());
  auto diskB = openInProcess(card::Env::posix(), (dir / "b.img").string());
  testing::FaultInjectionEnv memEnvA, memEnvB;  // no tear injector: plain memory
  auto memA = openInProcess(memEnvA, "/a.img");
  auto memB = openInProcess(memEnvB, "/b.img");
  personalise(issuer, *diskA->client, 1, kLoaded);
  personalise(issuer, *diskB->client, 2, 0);
  personalise(issuer, *memA->client, 3, kLoaded);
  personalise(issuer, *memB->client, 4, 0);
  Pair disk{diskA->client.get(), diskB->client.get(), "in-process (disk)"};
  Pair mem{memA->client.get(), memB->client.get(), "in-process (memory)"};
  for (int i = 0; i < warmup; ++i) {
    disk.transfer();
    mem.transfer();
  }

  // What one transfer makes: APDUs and commits, counted.
  const std::uint64_t exchanges0 = diskA->channel->exchanges + diskB->channel->exchanges;
  const std::uint64_t getResponses0 = diskA->channel->getResponses + diskB->channel->getResponses;
  const std::uint64_t commits0 = diskA->store->generation() + diskB->store->generation();
  const terminal::TransferReceipt sample = disk.transfer();
  const std::uint64_t apdusPerTransfer = diskA->channel->exchanges + diskB->channel->exchanges - exchanges0;
  const std::uint64_t getResponsesPerTransfer =
      diskA->channel->getResponses + diskB->channel->getResponses - getResponses0;
  const std::uint64_t commitsPerTransfer = diskA->store->generation() + diskB->store->generation() - commits0;
  if (commitsPerTransfer != kCommitsPerTransfer) {
    die("a transfer made " + std::to_string(commitsPerTransfer) + " commits, expected " +
        std::to_string(kCommitsPerTransfer));
  }

  auto certA = diskA->client->certificate();
  auto certB = diskB->client->certificate();
  if (!certA || !certB) die("certificates");
  CryptoFloor crypto(sample.pd, *certA, *certB, issuer.key().verificationKey());
  FsyncFloor fsyncFloor(dir / "fsync-floor.img");
  for (int i = 0; i < warmup; ++i) timeFloor(crypto, fsyncFloor);

  std::vector<double> diskUs, memUs, floorUs, cryptoUs, fsyncUs;
  for (int round = 0; round < rounds; ++round) {
    for (int i = 0; i < perRound; ++i) diskUs.push_back(disk.timedTransfer());
    for (int i = 0; i < perRound; ++i) memUs.push_back(mem.timedTransfer());
    for (int i = 0; i < perRound; ++i) {
      const FloorSample f = timeFloor(crypto, fsyncFloor);
      cryptoUs.push_back(f.crypto);
      fsyncUs.push_back(f.fsync);
      floorUs.push_back(f.crypto + f.fsync);
    }
  }
  disk.checkBalances();
  mem.checkBalances();
  const bench::Stats sDisk = bench::summarise(diskUs), sMem = bench::summarise(memUs);
  const bench::Stats sFloor = bench::summarise(floorUs), sCrypto = bench::summarise(cryptoUs),
                     sFsync = bench::summarise(fsyncUs);

  // ---- Through pcscd + vpcd: two card processes in the two readers ----
  auto ctx = PcscContext::establish();
  if (!ctx) die(ctx.error().toString());
  auto readers = (*ctx)->readerNames();
  if (!readers || readers->size() < 2) die("expected two vpcd readers");
  const fs::path imageA = dir / "pcsc-a.img", imageB = dir / "pcsc-b.img";

  auto plug = [&](unsigned slot, const fs::path& image) {
    CardProcess c;
    auto child = testing::ChildProcess::start({EPURSE_CARD_PROGRAM, "--state", image.string(), "--port",
                                               std::to_string(port + slot), "--quiet"});
    if (!child) die("cannot start epurse-card: " + child.error().toString());
    c.process = std::make_unique<testing::ChildProcess>(std::move(*child));
    c.pcsc = bench::connectWhenPresent(**ctx, (*readers)[slot]);
    c.channel = std::make_unique<CountingChannel>(*c.pcsc);
    c.client = std::make_unique<host::PurseClient>(*c.channel);
    if (auto s = c.client->select(); !s) die("select over PC/SC: " + s.error().toString());
    return c;
  };
  auto waitGone = [&](unsigned slot) {
    if (Status s = (*ctx)->waitForCard((*readers)[slot], false, 10000); !s) die(s.error().toString());
  };
  auto unplug = [&](CardProcess& c, unsigned slot) {
    c.client.reset();
    c.channel.reset();
    c.pcsc.reset();
    c.process->signal(SIGTERM);
    auto rc = c.process->wait(std::chrono::milliseconds(5000));
    if (!rc || *rc != 0) die("epurse-card did not stop cleanly");
    c.process.reset();
    waitGone(slot);
  };

  CardProcess cardA = plug(0, imageA);
  CardProcess cardB = plug(1, imageB);
  personalise(issuer, *cardA.client, 5, kLoaded);
  personalise(issuer, *cardB.client, 6, 0);
  Pair pcsc{cardA.client.get(), cardB.client.get(), "through PC/SC"};
  for (int i = 0; i < warmup; ++i) pcsc.transfer();

  // The APDUs of one transfer, recorded for the floor, and what one transfer costs the cards.
  std::vector<Bytes> transferApdus;
  cardA.channel->record = cardB.channel->record = &transferApdus;
  const std::uint64_t pcscGetResponses0 = cardA.channel->getResponses + cardB.channel->getResponses;
  pcsc.transfer();
  cardA.channel->record = cardB.channel->record = nullptr;
  const std::uint64_t pcscGetResponses = cardA.channel->getResponses + cardB.channel->getResponses - pcscGetResponses0;

  std::vector<double> pcscUs, apduFloorUs, pcscCryptoUs, pcscFsyncUs, pcscFloorUs;
  std::uint64_t pcscApdusMin = UINT64_MAX, pcscApdusMax = 0, pcscCommits = 0, pcscCommitsMeasured = 0;
  for (int block = 0; block < pcscBlocks; ++block) {
    const std::uint64_t gen0 = imageGeneration(imageA) + imageGeneration(imageB);
    for (int i = 0; i < pcscPerBlock; ++i) {
      const std::uint64_t before = cardA.channel->exchanges + cardB.channel->exchanges;
      pcscUs.push_back(pcsc.timedTransfer());
      const std::uint64_t n = cardA.channel->exchanges + cardB.channel->exchanges - before;
      pcscApdusMin = std::min(pcscApdusMin, n);
      pcscApdusMax = std::max(pcscApdusMax, n);
    }
    pcscCommits += imageGeneration(imageA) + imageGeneration(imageB) - gen0;
    pcscCommitsMeasured += static_cast<std::uint64_t>(pcscPerBlock);

    // Reader 1 gets the bare vpcd responder for the floor block, then card B comes back.
    unplug(cardB, 1);
    const pid_t floorPid = bench::startFloorResponder(static_cast<std::uint16_t>(port + 1));
    {
      auto floorChannel = bench::connectWhenPresent(**ctx, (*readers)[1]);
      auto sendAll = [&] {
        for (const Bytes& apdu : transferApdus) {
          auto r = floorChannel->transmitRaw(apdu);
          if (!r || *r != Bytes{0x90, 0x00}) die("floor responder: " + (r ? toHex(*r) : r.error().toString()));
        }
      };
      for (int i = 0; i < warmup; ++i) sendAll();
      for (int i = 0; i < pcscPerBlock; ++i) {
        const auto t0 = Clock::now();
        sendAll();
        const double apdus = since(t0);
        const FloorSample f = timeFloor(crypto, fsyncFloor);
        apduFloorUs.push_back(apdus);
        pcscCryptoUs.push_back(f.crypto);
        pcscFsyncUs.push_back(f.fsync);
        pcscFloorUs.push_back(apdus + f.crypto + f.fsync);
      }
    }
    bench::stopFloorResponder(floorPid);
    waitGone(1);
    cardB = plug(1, imageB);
    pcsc.b = cardB.client.get();
    for (int i = 0; i < warmup; ++i) pcsc.transfer();  // the new client reads B's certificate again
  }
  pcsc.checkBalances();
  unplug(cardA, 0);
  unplug(cardB, 1);

  const bench::Stats sPcsc = bench::summarise(pcscUs), sApduFloor = bench::summarise(apduFloorUs),
                     sPcscCrypto = bench::summarise(pcscCryptoUs), sPcscFsync = bench::summarise(pcscFsyncUs),
                     sPcscFloor = bench::summarise(pcscFloorUs);

  // ---- Report ----
  const double inProcessRatio = sDisk.median / sFloor.median;
  const double memRatio = sMem.median / sCrypto.median;
  // The floor the issue names: the APDU round trips at the bare responder + the in-process
  // crypto + fsync floor. Also shown: crypto + fsync timed right after each APDU sequence, as
  // the cards do their work between socket wake-ups (both come out slower there than in the
  // quiet in-process rounds).
  const double pcscFloorMedian = sApduFloor.median + sFloor.median;
  const double pcscRatio = sPcsc.median / pcscFloorMedian;
  const double pcscSameBlocksRatio = sPcsc.median / sPcscFloor.median;
  const double pcscMedianMs = sPcsc.median / 1000.0;

  std::printf("Full Mondex transfer end to end (terminal::runTransfer, value %u, alternating direction)\n", kValue);
  std::printf("Purse persistent state\n");
  std::printf("  %-44s %zu bytes   fits 16 KiB (%zu bytes): %s\n", "purse applet persistent state", persistentSize,
              kRealCardBytes, persistentSize <= kRealCardBytes ? "yes" : "no");
  std::printf("  %-44s %zu bytes (one slot %zu bytes, image file %zu bytes)\n", "card image capacity", kCapacity,
              kSlotSize, card::TransactionStore::imageSize(kCapacity));
  std::printf("One transfer, counted\n");
  std::printf("  %-44s %llu in process, %llu..%llu through PC/SC (GET DATA x2, START FROM, START TO, REQ, VAL, "
              "ACK; GET RESPONSE %llu / %llu)\n",
              "APDU round trips", static_cast<unsigned long long>(apdusPerTransfer),
              static_cast<unsigned long long>(pcscApdusMin), static_cast<unsigned long long>(pcscApdusMax),
              static_cast<unsigned long long>(getResponsesPerTransfer),
              static_cast<unsigned long long>(pcscGetResponses));
  std::printf("  %-44s %llu in process, %.2f through PC/SC (card images read back)\n",
              "durable commits (1 fdatasync each)",
              static_cast<unsigned long long>(commitsPerTransfer),
              static_cast<double>(pcscCommits) / static_cast<double>(pcscCommitsMeasured));
  std::printf("  %-44s %d ECDSA P-256 signs + %d verifies (payloads %zu bytes, certificate bodies %zu bytes)\n",
              "OpenSSL operations on the cards", kSignsPerTransfer, kVerifiesPerTransfer, crypto.payloadSize(),
              crypto.certBodySize());
  std::printf("In process, durable (%zu transfers in %d interleaved rounds; scratch on %s)\n", diskUs.size(), rounds,
              filesystemOf(dir).c_str());
  line("transfer, card images on disk", sDisk);
  std::printf("  %-44s %.0f\n", "transfers per second (durable)", 1e6 / sDisk.mean);
  line("floor: crypto + fsync", sFloor);
  line("  crypto: 3 signs + 5 verifies", sCrypto);
  char fsyncLabel[64];
  std::snprintf(fsyncLabel, sizeof fsyncLabel, "  fsync: 5 x (pwrite %zu B + fdatasync)", kSlotSize);
  line(fsyncLabel, sFsync);
  std::printf("  %-44s %.3f   target <= %.1f: %s\n", "ratio transfer/(crypto + fsync) (median)", inProcessRatio,
              kInProcessTargetRatio, verdict(inProcessRatio <= kInProcessTargetRatio));
  std::printf("In process, in-memory Env (crypto only: no fsync)\n");
  line("transfer, card images in memory", sMem);
  std::printf("  %-44s %.0f\n", "transfers per second (in memory)", 1e6 / sMem.mean);
  line("floor: crypto", sCrypto);
  std::printf("  %-44s %.3f   (everything but OpenSSL: %.1f us per transfer)\n", "ratio transfer/crypto (median)",
              memRatio, sMem.median - sCrypto.median);
  std::printf("Through pcscd + vpcd (two epurse-card processes, two readers, durable commits; %zu transfers in %d "
              "blocks)\n",
              pcscUs.size(), pcscBlocks);
  line("transfer", sPcsc, true);
  char apduLabel[64];
  std::snprintf(apduLabel, sizeof apduLabel, "floor: %zu APDU round trips, bare vpcd", transferApdus.size());
  line(apduLabel, sApduFloor, true);
  line("floor: crypto + fsync (in process, above)", sFloor, true);
  std::printf("  %-44s median %8.3f ms\n", "floor total (sum of the two medians)", pcscFloorMedian / 1000.0);
  std::printf("  %-44s %.3f\n", "ratio transfer/floor (median)", pcscRatio);
  std::printf("  crypto + fsync timed between the APDU sequences instead (interleaved with the transfers):\n");
  line("  floor per iteration: APDUs + crypto + fsync", sPcscFloor, true);
  line("    crypto: 3 signs + 5 verifies", sPcscCrypto, true);
  line("    fsync: 5 x (pwrite + fdatasync)", sPcscFsync, true);
  std::printf("  %-44s %.3f\n", "  ratio transfer/that floor (median)", pcscSameBlocksRatio);
  std::printf("  %-44s %.3f ms   target <= %.0f ms: %s\n", "transfer median", pcscMedianMs, kPcscTargetMs,
              verdict(pcscMedianMs <= kPcscTargetMs));
  if (quick) std::printf("(quick run: figures are not meaningful)\n");
  return 0;
}
