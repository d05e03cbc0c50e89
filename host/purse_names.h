// Human-readable names for the purse's commands and status words, for error messages.
// sw::describe knows only the ISO 7816-4 status words; the purse adds its own 94xx family.
#pragma once

#include <string>

#include "apdu/command_apdu.h"
#include "apdu/status_word.h"

namespace epurse::host {

// "9401 insufficient funds"; ISO status words as sw::describe names them.
std::string describePurseSw(sw::StatusWord s);

// "LOAD", "READ RECORD", ... as protocol/purse_command_table.h names them; "command 80 99"
// for anything the purse does not define.
std::string purseCommandName(const CommandApdu& command);

}  // namespace epurse::host
