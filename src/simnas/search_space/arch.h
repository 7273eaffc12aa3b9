// One architecture of any search space simnas knows: the handle a latency travels with, from
// Device::Measure through the ProbeSession to the probe store and the answer. It holds the
// space's own value (a NAS-Bench-201 Cell, an FBNet FbnetArch) and says which space it is of;
// code that works on one space asks for its value (cell(), fbnet()), generic code uses only
// space(), ToString() and comparison. A Cell or an FbnetArch converts to an Arch implicitly, so
// NAS-Bench-201 code keeps passing cells. A new space is one more alternative here and one
// case in ParseArch.
//
// ArchNumbering is how a space numbers its architectures (the NATS-Bench index of a cell; the
// row of an FBNet network in HELP's 5,000): the ProbeSession and the devices that need an
// index ask it, and it parses the space's strings (rows of the probe store).
#pragma once

#include <compare>
#include <string>
#include <string_view>
#include <variant>

#include "simnas/search_space/cell.h"
#include "simnas/search_space/fbnet/fbnet_arch.h"
#include "simnas/search_space/space_kind.h"

namespace simnas {

class Arch {
 public:
  Arch() = default;  // the first space's default value; only for containers
  Arch(const Cell& cell) : value_(cell) {}            // NOLINT(google-explicit-constructor): the adapter
  Arch(const FbnetArch& arch) : value_(arch) {}       // NOLINT(google-explicit-constructor)

  SpaceKind space() const;
  // The space's canonical string (Cell::ToString, FbnetArch::ToString).
  std::string ToString() const;
  bool is_cell() const { return std::holds_alternative<Cell>(value_); }
  bool is_fbnet() const { return std::holds_alternative<FbnetArch>(value_); }
  // The space's value. Throws Error naming both spaces when the architecture is of another space.
  const Cell& cell() const;
  const FbnetArch& fbnet() const;

  auto operator<=>(const Arch&) const = default;

 private:
  std::variant<Cell, FbnetArch> value_;
};

// Parses an architecture string of `space`. Throws ParseError (the space's own message).
Arch ParseArch(SpaceKind space, std::string_view text);

class ArchNumbering {
 public:
  virtual ~ArchNumbering() = default;
  virtual SpaceKind space() const = 0;
  // The index of `arch` in the space's numbering, or -1 when it has none. Throws Error for an
  // architecture of another space.
  virtual int IndexOf(const Arch& arch) const = 0;
  // How many architectures carry an index (indices 0 .. Count()-1): 15,625 cells; HELP's 5,000.
  virtual int Count() const = 0;
  // The architecture at `index`. Throws ParseError naming the range for an index outside it.
  virtual Arch ArchAt(int index) const = 0;
};

}  // namespace simnas
