# Included by CTest when it loads the tests (TEST_INCLUDE_FILES, tests/CMakeLists.txt): lists
# the tests of simnas_tests and adds one CTest test per GoogleTest suite, so the ~0.5 s that
# every process spends loading LibTorch is paid once per suite, not once per test.
#
# Tests matched by a pattern of tests/needs_data.txt read the real data folder (SIMNAS_DATA =
# <repo>/data, label `data`); every other test runs with SIMNAS_DATA pointing at an empty
# folder (label `hermetic`), so a test that starts to need the data without being listed
# fails. Suites whose name ends in "Serial" time this machine: they run alone (label `live`).
# The few suites whose tests take tens of seconds each (SIMNAS_SLOW_SUITES below) get one CTest
# test per GoogleTest test instead, started first, so that -j2 keeps both cores busy to the end.
# A summary of the split is written to ${SIMNAS_SPLIT_SUMMARY}.
#
# Set by the includer: SIMNAS_TEST_EXE, SIMNAS_NEEDS_DATA_FILE, SIMNAS_REPO_DATA,
# SIMNAS_EMPTY_DATA, SIMNAS_SPLIT_SUMMARY.

execute_process(COMMAND "${SIMNAS_TEST_EXE}" --gtest_list_tests
  OUTPUT_VARIABLE listing RESULT_VARIABLE status TIMEOUT 120)
if(NOT status EQUAL 0)
  add_test(simnas_tests_listing "${SIMNAS_TEST_EXE}" --gtest_list_tests)
  return()
endif()

# Glob patterns (one per line, '#' comments) -> regular expressions over full test names.
file(STRINGS "${SIMNAS_NEEDS_DATA_FILE}" pattern_lines)
set(data_regexes "")
foreach(line IN LISTS pattern_lines)
  string(REGEX REPLACE "#.*" "" line "${line}")
  string(STRIP "${line}" line)
  if(line STREQUAL "")
    continue()
  endif()
  string(REPLACE "." "\\." rx "${line}")
  string(REPLACE "*" ".*" rx "${rx}")
  list(APPEND data_regexes "^${rx}$")
endforeach()

string(REPLACE "\n" ";" listing_lines "${listing}")
set(suites "")
set(suite "")
foreach(line IN LISTS listing_lines)
  if(line MATCHES "^([^ #][^ ]*)\\.$")
    set(suite "${CMAKE_MATCH_1}")
    list(APPEND suites "${suite}")
    set(tests_of_${suite} "")
  elseif(line MATCHES "^  ([^ ]+)" AND NOT suite STREQUAL "")
    list(APPEND tests_of_${suite} "${suite}.${CMAKE_MATCH_1}")
  endif()
endforeach()

# Measured with `ctest -j2` (whole suite seconds): OnnxExport 158, ProxiesFaithfulness 123,
# ProxyZoo 47, ProxiesCli 46, MpiProxies 41, MpiBench 39, Bench 36, Proxies 30.
set(SIMNAS_SLOW_SUITES OnnxExport ProxiesFaithfulness ProxyZoo ProxiesCli MpiProxies MpiBench Bench Proxies)

# Adds CTest tests for `tests` (full GoogleTest names) of `suite`: one for all of them, or one
# per test for a slow suite. `suffix` tells a suite's data part from its hermetic part.
function(simnas_add_suite_tests suite suffix tests data_dir label serial)
  if(suite IN_LIST SIMNAS_SLOW_SUITES)
    foreach(test IN LISTS tests)
      add_test("${test}" "${SIMNAS_TEST_EXE}" "--gtest_filter=${test}")
      set_tests_properties("${test}" PROPERTIES ENVIRONMENT "SIMNAS_DATA=${data_dir}" LABELS "${label}"
        TIMEOUT 1200 RUN_SERIAL ${serial} COST 1000)
    endforeach()
  else()
    string(REPLACE ";" ":" filter "${tests}")
    add_test("${suite}${suffix}" "${SIMNAS_TEST_EXE}" "--gtest_filter=${filter}")
    set_tests_properties("${suite}${suffix}" PROPERTIES ENVIRONMENT "SIMNAS_DATA=${data_dir}" LABELS "${label}"
      TIMEOUT 1200 RUN_SERIAL ${serial})
  endif()
endfunction()

set(n_hermetic 0)
set(n_data 0)
set(n_live 0)
foreach(suite IN LISTS suites)
  if(suite MATCHES "^DISABLED_")
    continue()
  endif()
  set(data_tests "")
  set(hermetic_tests "")
  foreach(test IN LISTS tests_of_${suite})
    if(test MATCHES "\\.DISABLED_")
      continue()
    endif()
    set(needs FALSE)
    foreach(rx IN LISTS data_regexes)
      if(test MATCHES "${rx}")
        set(needs TRUE)
        break()
      endif()
    endforeach()
    if(needs)
      list(APPEND data_tests "${test}")
    else()
      list(APPEND hermetic_tests "${test}")
    endif()
  endforeach()
  list(LENGTH data_tests nd)
  list(LENGTH hermetic_tests nh)
  set(serial FALSE)
  set(extra_label "")
  if(suite MATCHES "Serial$")
    set(serial TRUE)
    set(extra_label ";live")
    math(EXPR n_live "${n_live} + ${nd} + ${nh}")
  endif()
  if(nh GREATER 0)
    simnas_add_suite_tests("${suite}" "" "${hermetic_tests}" "${SIMNAS_EMPTY_DATA}" "hermetic${extra_label}" ${serial})
    math(EXPR n_hermetic "${n_hermetic} + ${nh}")
  endif()
  if(nd GREATER 0)
    set(suffix "")
    if(nh GREATER 0)
      set(suffix ".data")
    endif()
    simnas_add_suite_tests("${suite}" "${suffix}" "${data_tests}" "${SIMNAS_REPO_DATA}" "data${extra_label}" ${serial})
    math(EXPR n_data "${n_data} + ${nd}")
  endif()
endforeach()

math(EXPR n_all "${n_hermetic} + ${n_data}")
file(WRITE "${SIMNAS_SPLIT_SUMMARY}"
  "${n_all} tests: ${n_hermetic} hermetic (no data folder), ${n_data} read the data folder; ${n_live} of them time this machine (live)\n")
