# Runs a job that must fail: `cmake -DCOMMAND=a|b|c -DEXPECT=<regex> -DLIMIT=<seconds> -P
# expect_job_failure.cmake` passes when COMMAND (arguments separated by |) exits non-zero within
# LIMIT seconds and its output (stdout and stderr together) matches EXPECT, and then, when
# -DAFTER=x|y is given, that command (what the failure must have left intact) exits with 0.
string(REPLACE "|" ";" command "${COMMAND}")
string(TIMESTAMP start "%s")
execute_process(COMMAND ${command} TIMEOUT ${LIMIT}
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
string(TIMESTAMP end "%s")
math(EXPR seconds "${end} - ${start}")
message("${output}")
message("-- exit status '${status}' after about ${seconds} s")
if(status MATCHES "timeout")
  message(FATAL_ERROR "the job did not end within ${LIMIT} s: a rank hangs")
endif()
if("${status}" STREQUAL "0")
  message(FATAL_ERROR "the job exited with status 0; a failed rank must fail the job")
endif()
if(NOT output MATCHES "${EXPECT}")
  message(FATAL_ERROR "the job's output does not match '${EXPECT}'")
endif()
if(DEFINED AFTER)
  string(REPLACE "|" ";" after "${AFTER}")
  execute_process(COMMAND ${after} TIMEOUT ${LIMIT}
                  RESULT_VARIABLE after_status OUTPUT_VARIABLE after_output ERROR_VARIABLE after_output)
  message("${after_output}")
  if(NOT "${after_status}" STREQUAL "0")
    message(FATAL_ERROR "after the failure, '${AFTER}' exited with '${after_status}'")
  endif()
endif()
