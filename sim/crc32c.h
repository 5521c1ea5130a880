/* CRC32c (Castagnoli, polynomial 0x1EDC6F41, bit-reflected), the checksum of SCTP
 * (RFC 9260 appendix A) and iSCSI (RFC 3720 appendix B.4).
 *
 * The running value is the raw register: start from crc32c_init(), feed bytes with
 * crc32c_update() (and virtual zero bytes with crc32c_update_zeros()), finish with
 * crc32c_final(). crc32c() does all three for one buffer. */
#ifndef IPVSIM_SIM_CRC32C_H
#define IPVSIM_SIM_CRC32C_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t crc32c_init(void) { return 0xffffffffu; }
static inline uint32_t crc32c_final(uint32_t crc) { return ~crc; }

/* The byte table (reflected polynomial 0x82F63B78). */
extern const uint32_t crc32c_table[256];

uint32_t crc32c_update(uint32_t crc, const void *buf, size_t len);
/* As if n zero bytes were fed. */
uint32_t crc32c_update_zeros(uint32_t crc, size_t n);
/* The finished CRC32c of one buffer: crc32c("123456789", 9) == 0xe3069283. */
uint32_t crc32c(const void *buf, size_t len);

#endif
