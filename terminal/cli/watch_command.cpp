#include "terminal/cli/watch_command.h"

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "apdu/pcsc_channel.h"
#include "base/hex.h"
#include "cli/audit_export.h"
#include "cli/exit_codes.h"
#include "cli/json_values.h"
#include "cli/output.h"
#include "cli/reader_options.h"
#include "host/apdu_trace.h"
#include "host/reader_session.h"
#include "terminal/cli/purse_status_text.h"
#include "terminal/cli/stop_signals.h"

namespace epurse::terminal {
namespace {

enum class EventKind { kPresent, kInserted, kRemoved, kReaderAdded, kReaderRemoved };

const char* eventName(EventKind kind) {
  switch (kind) {
    case EventKind::kPresent: return "present";
    case EventKind::kInserted: return "inserted";
    case EventKind::kRemoved: return "removed";
    case EventKind::kReaderAdded: return "reader_added";
    case EventKind::kReaderRemoved: return "reader_removed";
  }
  return "?";
}

const char* eventText(EventKind kind) {
  switch (kind) {
    case EventKind::kPresent: return "card present";
    case EventKind::kInserted: return "card inserted";
    case EventKind::kRemoved: return "card removed";
    case EventKind::kReaderAdded: return "reader plugged in";
    case EventKind::kReaderRemoved: return "reader unplugged";
  }
  return "?";
}

struct Event {
  EventKind kind;
  std::size_t index;
  ReaderState reader;
};

// What PC/SC saw change, from one state of every reader to the next.
std::vector<Event> changes(const ReaderWatchState& before, const ReaderWatchState& after) {
  std::vector<Event> events;
  const auto& old = before.readers();
  const auto& now = after.readers();
  const auto find = [](const std::vector<ReaderState>& list, const std::string& name) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (list[i].name == name) return i;
    }
    return std::nullopt;
  };
  for (std::size_t i = 0; i < old.size(); ++i) {
    if (find(now, old[i].name)) continue;
    if (old[i].cardPresent) events.push_back({EventKind::kRemoved, i, old[i]});
    events.push_back({EventKind::kReaderRemoved, i, old[i]});
  }
  for (std::size_t i = 0; i < now.size(); ++i) {
    const auto was = find(old, now[i].name);
    if (!was) {
      events.push_back({EventKind::kReaderAdded, i, now[i]});
      if (now[i].cardPresent) events.push_back({EventKind::kInserted, i, now[i]});
      continue;
    }
    const ReaderState& prev = old[*was];
    // Present both times but another card (or the same one taken out and put back) since.
    const bool swapped = prev.cardPresent && now[i].cardPresent &&
                         (prev.atr != now[i].atr || before.cardEvents(*was) != after.cardEvents(i));
    if (prev.cardPresent && (!now[i].cardPresent || swapped)) events.push_back({EventKind::kRemoved, i, prev});
    if (now[i].cardPresent && (!prev.cardPresent || swapped)) events.push_back({EventKind::kInserted, i, now[i]});
  }
  return events;
}

// What a card that arrived is: SELECT of the purse and GET DATA status, over a connection of
// its own that is let go at once.
struct CardLook {
  std::optional<bool> isPurse;  // null: not asked (exclusive use) or no answer
  std::optional<protocol::PurseStatus> status;
  std::optional<std::string> problem;
};

CardLook lookAt(const ReaderState& reader, ApduObserver* trace) {
  CardLook look;
  if (reader.inUseExclusively) {
    look.problem = "in exclusive use by another program";
    return look;
  }
  host::ReaderSessionOptions options;
  options.reader = host::ReaderSelector::byName(reader.name);
  options.trace = trace;
  auto session = host::ReaderSession::open(options);
  if (!session) {
    if (session.error().code == ErrorCode::kNoApplication) {
      look.isPurse = false;
    } else {
      look.problem = session.error().message;
    }
    return look;
  }
  look.isPurse = true;
  auto status = (*session)->purse().status();
  if (status) {
    look.status = *status;
  } else {
    look.problem = status.error().message;
  }
  return look;
}

class Printer {
 public:
  Printer(bool json, std::ostream& out) : json_(json), out_(out) {}

  void watching(const std::vector<ReaderState>& readers) {
    if (json_) {
      nlohmann::json list = nlohmann::json::array();
      for (std::size_t i = 0; i < readers.size(); ++i) {
        list.push_back({{"index", i}, {"name", readers[i].name}, {"cardPresent", readers[i].cardPresent}});
      }
      emit({{"event", "watching"}, {"time", now()}, {"readers", list}});
      return;
    }
    out_ << "watching " << readers.size() << " reader(s); Ctrl-C stops" << std::endl;
  }

  void event(const Event& e, ApduObserver* trace) {
    const bool card = e.kind == EventKind::kPresent || e.kind == EventKind::kInserted;
    const CardLook look = card ? lookAt(e.reader, trace) : CardLook{};
    if (json_) {
      nlohmann::json j = {{"event", eventName(e.kind)}, {"time", now()}, {"index", e.index}, {"reader", e.reader.name}};
      if (card) {
        j["atr"] = toHex(e.reader.atr);
        j["isPurse"] = look.isPurse ? nlohmann::json(*look.isPurse) : nlohmann::json(nullptr);
        j["purse"] = look.status ? cli::purseStatusJson(*look.status) : nlohmann::json(nullptr);
        j["problem"] = look.problem ? nlohmann::json(*look.problem) : nlohmann::json(nullptr);
      }
      emit(j);
      return;
    }
    out_ << now() << "  " << e.index << "  " << e.reader.name << "  " << eventText(e.kind);
    if (card) {
      out_ << "  ATR " << toHex(e.reader.atr);
      if (look.status) out_ << "  " << purseSummary(*look.status);
      if (look.isPurse && !*look.isPurse) out_ << "  not a purse";
      if (look.problem) out_ << "  (" << *look.problem << ")";
    }
    out_ << std::endl;
  }

 private:
  static std::string now() { return cli::exportTime(std::chrono::system_clock::now()); }
  void emit(const nlohmann::json& j) { out_ << j.dump() << std::endl; }

  bool json_;
  std::ostream& out_;
};

}  // namespace

CLI::App* WatchCommand::addTo(CLI::App& app) {
  auto* command = app.add_subcommand(
      "watch", "Show cards inserted and removed as it happens, with each purse's status, until Ctrl-C");
  cli::addJsonFlag(*command, json);
  command->add_flag("--trace", trace, "Print every APDU and response with its time on stderr");
  command->add_option("--count", count, "Stop after N changes (the cards present at the start are not counted)")
      ->check(CLI::PositiveNumber);
  return command;
}

int WatchCommand::run(std::ostream& out, std::ostream& err) {
  cli::Output output("epurse", json, out, err);
  auto context = PcscContext::establish();
  if (!context) return output.fail(context.error());
  StopSignals signals(**context);
  host::ApduTracePrinter printer(err);
  ApduObserver* observer = trace ? &printer : nullptr;
  Printer print(json, out);

  ReaderWatchState seen;
  auto first = (*context)->waitForReaderChange(seen, 0);
  if (!first) return output.fail(first.error());
  print.watching(seen.readers());
  for (std::size_t i = 0; i < seen.readers().size(); ++i) {
    if (seen.readers()[i].cardPresent) print.event({EventKind::kPresent, i, seen.readers()[i]}, observer);
  }
  unsigned counted = 0;
  while (!signals.stopRequested() && (!count || counted < *count)) {
    ReaderWatchState before = seen;
    auto changed = (*context)->waitForReaderChange(seen, PcscContext::kWaitForever);
    if (!changed) return output.fail(changed.error());
    if (!*changed) continue;  // cancelled by a stop signal: the loop condition ends it
    for (const auto& e : changes(before, seen)) {
      if (count && counted >= *count) break;
      print.event(e, observer);
      ++counted;
    }
  }
  return cli::kExitOk;
}

int WatchCommand::run() { return run(std::cout, std::cerr); }

void addWatchCommand(Commands& commands) { commands.push_back(std::make_unique<WatchCommand>()); }

}  // namespace epurse::terminal
