#include "simnas/spaces/nb201/cell.h"

#include <optional>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/strings.h"

namespace simnas {
namespace {

constexpr std::array<std::string_view, kNumOps> kOpNames = {"none", "skip_connect", "nor_conv_1x1",
                                                             "nor_conv_3x3", "avg_pool_3x3"};

std::string ExpectedOps() {
  std::string s;
  for (std::size_t i = 0; i < kOpNames.size(); ++i) s += (i ? ", " : "") + std::string(kOpNames[i]);
  return s;
}

std::optional<Op> OpFromName(std::string_view name) {
  for (std::size_t i = 0; i < kOpNames.size(); ++i) {
    if (kOpNames[i] == name) return static_cast<Op>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view OpName(Op op) { return kOpNames[static_cast<std::size_t>(op)]; }

Cell Cell::Parse(std::string_view text) {
  // Grammar: "|" tok "|" "+" "|" tok "|" tok "|" "+" "|" tok "|" tok "|" tok "|",
  // tok = opname "~" source. We walk the text once and report the first deviation.
  const auto fail = [&](std::size_t pos, const std::string& what) -> ParseError {
    return ParseError(fmt::format("malformed architecture {} at character {}: {}", Quoted(text), pos + 1, what));
  };
  std::array<Op, kNumEdges> ops{};
  std::size_t pos = 0;
  int edge = 0;
  for (int node = 1; node < kNumNodes; ++node) {
    if (node > 1) {
      if (pos >= text.size() || text[pos] != '+') {
        throw fail(pos, fmt::format("expected '+' before the edges of node {}, found {}", node,
                                    pos < text.size() ? Quoted(text.substr(pos, 1)) : "end of string"));
      }
      ++pos;
    }
    if (pos >= text.size() || text[pos] != '|') {
      throw fail(pos, fmt::format("expected '|' opening the edges of node {}, found {}", node,
                                  pos < text.size() ? Quoted(text.substr(pos, 1)) : "end of string"));
    }
    ++pos;
    for (int source = 0; source < node; ++source, ++edge) {
      const std::size_t end = text.find('|', pos);
      if (end == std::string_view::npos) {
        throw fail(pos, fmt::format("edge {}<-{} is not closed by '|' (an architecture has 6 edges: 1, 2 and 3 "
                                    "per node)",
                                    node, source));
      }
      const std::string_view token = text.substr(pos, end - pos);
      const std::size_t tilde = token.find('~');
      if (tilde == std::string_view::npos) {
        throw fail(pos, fmt::format("token {} for edge {}<-{} is not of the form op~{}", Quoted(token), node, source,
                                    source));
      }
      const std::string_view name = token.substr(0, tilde);
      const std::string_view src = token.substr(tilde + 1);
      const std::optional<Op> op = OpFromName(name);
      if (!op) {
        throw fail(pos, fmt::format("unknown operation {} on edge {}<-{}; expected one of {}", Quoted(name), node,
                                    source, ExpectedOps()));
      }
      if (src != std::to_string(source)) {
        throw fail(pos + tilde + 1, fmt::format("edge {} of node {} must come from node {}, found source {}",
                                                source + 1, node, source, Quoted(src)));
      }
      ops[static_cast<std::size_t>(edge)] = *op;
      pos = end + 1;
    }
    if (node == kNumNodes - 1) break;
    if (pos < text.size() && text[pos] != '+') {
      throw fail(pos, fmt::format("node {} takes exactly {} edge(s); expected '+' or end of string, found {}", node,
                                  node, Quoted(text.substr(pos, 1))));
    }
  }
  if (pos != text.size()) throw fail(pos, fmt::format("unexpected trailing text {}", Quoted(text.substr(pos))));
  return Cell(ops);
}

Cell Cell::FromCode(int code) {
  if (code < 0 || code >= kNumCells) throw ParseError(fmt::format("cell code {} outside [0, {})", code, kNumCells));
  std::array<Op, kNumEdges> ops{};
  for (int e = 0; e < kNumEdges; ++e) {
    ops[static_cast<std::size_t>(e)] = static_cast<Op>(code % kNumOps);
    code /= kNumOps;
  }
  return Cell(ops);
}

int Cell::Code() const {
  int code = 0;
  for (int e = kNumEdges - 1; e >= 0; --e) code = code * kNumOps + static_cast<int>(ops_[static_cast<std::size_t>(e)]);
  return code;
}

std::string Cell::ToString() const {
  std::string s;
  int edge = 0;
  for (int node = 1; node < kNumNodes; ++node) {
    if (node > 1) s += '+';
    s += '|';
    for (int source = 0; source < node; ++source, ++edge) {
      s += OpName(op(edge));
      s += '~';
      s += static_cast<char>('0' + source);
      s += '|';
    }
  }
  return s;
}

Cell Cell::WithOp(int edge, Op op) const {
  Cell copy = *this;
  copy.ops_[static_cast<std::size_t>(edge)] = op;
  return copy;
}

std::array<int, kNumOps> Cell::OpCounts() const {
  std::array<int, kNumOps> counts{};
  for (Op op : ops_) ++counts[static_cast<std::size_t>(op)];
  return counts;
}

Cell RandomCell(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> pick(0, kNumCells - 1);
  return Cell::FromCode(pick(rng));
}

}  // namespace simnas
