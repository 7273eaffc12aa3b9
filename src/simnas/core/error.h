// Errors of simnas. Every failure a user can cause (bad input, missing or corrupt data,
// a misbehaving device, a corrupt checkpoint) is reported by throwing one of these, with
// a one-line message naming what went wrong and where. The CLI prints the message and
// exits non-zero; library code never prints errors itself.
#pragma once

#include <stdexcept>
#include <string>

namespace simnas {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A malformed architecture string, spec string or option value.
class ParseError : public Error {
 public:
  using Error::Error;
};

// A missing, unreadable or invalid data file.
class DataError : public Error {
 public:
  using Error::Error;
};

// A device that failed, timed out, or answered with something that is not a latency.
class DeviceError : public Error {
 public:
  using Error::Error;
};

// A part of simnas that is loaded on demand (a plugin library: LibTorch, OpenCV, MPI) is
// missing or cannot be loaded; the message names the file.
class PluginError : public Error {
 public:
  using Error::Error;
};

// Work stopped because the user asked (Ctrl-C); progress so far has been saved.
class Interrupted : public Error {
 public:
  using Error::Error;
};

}  // namespace simnas
