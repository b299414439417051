/* SPDX-License-Identifier: MIT */
/* licctl speaks the socket protocol through the one implementation in
 * daemon/proto.c. TEMPORARY: the Makefile links licctl with libcommon and
 * libpolicy only, so the file is compiled in here; once the Makefile adds
 * $(O)/daemon/proto.o to licctl (or proto.c moves to common/), delete this
 * file. */
#include "../../daemon/proto.c"
