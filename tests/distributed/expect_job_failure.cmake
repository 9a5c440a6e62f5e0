# Runs a job that must fail: `cmake -DCOMMAND=a|b|c -DEXPECT=<regex> -DLIMIT=<seconds> -P
# expect_job_failure.cmake` passes when COMMAND (arguments separated by |) exits non-zero within
# LIMIT seconds and its output (stdout and stderr together) matches EXPECT.
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
