// What an applet sees of the card (the shape of javacard.framework.Applet and JCSystem).
//
// Life cycle of one applet on one card:
//   attach     every time a card process starts: bind to memory, allocate transient buffers
//   install    once in the card's life, inside a transaction: write the initial persistent state
//   powerUp    at every power-up and reset: finish or undo whatever a power loss interrupted
//   select / process* / deselect
// Refusals are IsoException(sw); a persistent change happens only between beginTransaction
// and commitTransaction. The dispatcher aborts a transaction an applet leaves open.
#pragma once

#include <cstddef>
#include <cstdint>

#include "apdu/atr.h"
#include "apdu/command_apdu.h"
#include "base/bytes.h"
#include "card/runtime/persistent_region.h"
#include "card/runtime/transient_memory.h"

namespace epurse::card {

class CardContext {
 public:
  virtual ~CardContext() = default;

  virtual PersistentRegion& persistent() = 0;  // this applet's own region
  virtual std::span<std::uint8_t> allocateTransient(std::size_t size, ClearOn when) = 0;

  // Store failures become exceptions by one rule, throwStoreFailure (persistent_region.h):
  // nesting, or a commit with none open, is an applet bug and throws std::logic_error
  // (6F00). A commit the storage refused throws IsoException(6581) after rolling the
  // transaction back; from then on the card answers 6581 to every beginTransaction until it
  // is restarted.
  virtual void beginTransaction() = 0;
  virtual void commitTransaction() = 0;
  virtual void abortTransaction() = 0;
  virtual bool inTransaction() const = 0;

  virtual TransportProtocol protocol() const = 0;
};

class Applet {
 public:
  virtual ~Applet() = default;

  // Bytes of persistent memory this applet needs; fixed for the life of a card image.
  virtual std::size_t persistentSize() const = 0;

  virtual void attach(CardContext& /*card*/) {}
  virtual void install(CardContext& /*card*/) {}
  virtual void powerUp(CardContext& /*card*/) {}

  // false refuses the selection (6999).
  virtual bool select(CardContext& /*card*/) { return true; }
  virtual void deselect(CardContext& /*card*/) {}

  // Proprietary data for the FCI template (tag A5) returned by SELECT.
  virtual Bytes selectionData(CardContext& /*card*/) { return {}; }

  // One command. Returns the response data (SW 9000) or throws IsoException.
  virtual Bytes process(CardContext& card, const CommandApdu& command) = 0;
};

}  // namespace epurse::card
