# SPDX-License-Identifier: BSD-3-Clause
# core_includes.cmake -- the core stays free of I/O front ends (ctest -L build).
#
# cmake -DROOT=<source dir> "-DCORE_SOURCES=<tcpclose_core's sources>" -P core_includes.cmake
#
# Fails when a file of the core (src/core/*.c, src/core/*.h, and the public
# headers in include/tcpclose/ that the core compiles against) includes
# libpcap, curses, or a header whose business is file, socket, terminal or
# clock I/O; and when a src/core/*.c is not a source of tcpclose_core, since
# only those get core_purity.h force-included (the compiler's half of the
# check: it refuses printf, fopen, exit, getenv, clock_gettime ... there).
cmake_minimum_required(VERSION 3.16)

set(forbidden_re
  "^(pcap\\.h|pcap/.*|pcap-.*|curses\\.h|ncurses\\.h|ncursesw/.*|ncurses/.*|term\\.h|panel\\.h|menu\\.h|form\\.h|unistd\\.h|fcntl\\.h|time\\.h|sys/time\\.h|sys/socket\\.h|sys/stat\\.h|sys/ioctl\\.h|netdb\\.h|signal\\.h|syslog\\.h|termios\\.h)$")

file(GLOB files ${ROOT}/src/core/*.c ${ROOT}/src/core/*.h ${ROOT}/include/tcpclose/*.h)
set(bad 0)
foreach(f ${files})
  file(STRINGS ${f} lines REGEX "^[ \t]*#[ \t]*include")
  foreach(l ${lines})
    if(l MATCHES "#[ \t]*include[ \t]*[<\"]([^>\"]+)[>\"]")
      set(h ${CMAKE_MATCH_1})
      if(h MATCHES "${forbidden_re}")
        file(RELATIVE_PATH rel ${ROOT} ${f})
        message(SEND_ERROR "${rel}: includes <${h}>: the core does no I/O (src/core/core_purity.h)")
        set(bad 1)
      endif()
    endif()
  endforeach()
endforeach()

file(GLOB core_c RELATIVE ${ROOT} ${ROOT}/src/core/*.c)
foreach(f ${core_c})
  list(FIND CORE_SOURCES ${f} i)
  if(i EQUAL -1)
    message(SEND_ERROR "${f}: not a source of tcpclose_core, so core_purity.h does not guard it")
    set(bad 1)
  endif()
endforeach()

if(bad)
  message(FATAL_ERROR "core purity check failed")
endif()
list(LENGTH files n)
message(STATUS "core purity: ${n} files checked")
