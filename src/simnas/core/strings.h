// String helpers shared by parsers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace simnas {

std::vector<std::string> Split(std::string_view text, char sep);
std::string_view Trim(std::string_view text);
// Strict number parsing: the whole (trimmed) text must be a finite number.
std::optional<double> ParseDouble(std::string_view text);
std::optional<long long> ParseInt(std::string_view text);
// Splits a command line into arguments like a POSIX shell would for quoting ('..', "..",
// backslash) but without any expansion. Throws ParseError on an unterminated quote.
std::vector<std::string> SplitCommandLine(std::string_view command);
// Quotes a string for display in messages ("'x'", with control characters escaped).
std::string Quoted(std::string_view text);

}  // namespace simnas
