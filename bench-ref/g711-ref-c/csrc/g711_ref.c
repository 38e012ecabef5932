/*
 * A plain G.711 codec written for this project as a speed baseline. It follows the algorithm of
 * the ITU-T G.191 Software Tool Library's g711.c, as ITU-T G.711 (11/88) and G.191 describe it:
 * per sample, a segment search by compare-and-shift, no look-up tables. Inputs are 16-bit
 * left-justified PCM; negative inputs are quantised through their one's complement; codes are the
 * transmitted octets (A-law even bits inverted, mu-law all bits inverted).
 *
 * It is independent code, not a copy of the STL source, and is used only by benches and tests.
 */
#include <stddef.h>
#include <stdint.h>

/* A-law (G.711 section 3.1, Tables 1a/1b). */
void ref_alaw_encode(const int16_t *in, uint8_t *out, size_t n) {
    for (size_t k = 0; k < n; k++) {
        int x = in[k];
        int mag = (x < 0 ? ~x : x) >> 4; /* sign + 11-bit magnitude (12 MSBs) */
        if (mag > 15) {
            int seg = 1;
            while (mag > 31) { /* segment search: shift until the leading one is bit 4 */
                mag >>= 1;
                seg++;
            }
            mag = (mag - 16) + (seg << 4); /* drop the implied leading one */
        }
        if (x >= 0) mag |= 0x80;
        out[k] = (uint8_t)(mag ^ 0x55); /* even-bit inversion */
    }
}

void ref_alaw_decode(const uint8_t *in, int16_t *out, size_t n) {
    for (size_t k = 0; k < n; k++) {
        int code = in[k];
        int idx = (code ^ 0x55) & 0x7f;
        int seg = idx >> 4;
        int mant = idx & 0x0f;
        if (seg > 0) mant += 16;
        mant = (mant << 4) + 8; /* middle of the interval, left-justified */
        if (seg > 1) mant <<= seg - 1;
        out[k] = (int16_t)(code & 0x80 ? mant : -mant);
    }
}

/* mu-law (G.711 section 3.2, Tables 2a/2b). */
void ref_ulaw_encode(const int16_t *in, uint8_t *out, size_t n) {
    for (size_t k = 0; k < n; k++) {
        int x = in[k];
        int mag = ((x < 0 ? ~x : x) >> 2) + 33; /* 14 MSBs, biased */
        if (mag > 0x1fff) mag = 0x1fff;
        int seg = 1;
        for (int rest = mag >> 6; rest != 0; rest >>= 1) seg++; /* segment search */
        int high = 8 - seg;
        int low = 0x0f - ((mag >> seg) & 0x0f);
        int code = (high << 4) | low; /* inverted code */
        if (x >= 0) code |= 0x80;
        out[k] = (uint8_t)code;
    }
}

void ref_ulaw_decode(const uint8_t *in, int16_t *out, size_t n) {
    for (size_t k = 0; k < n; k++) {
        int code = in[k];
        int inv = ~code & 0xff;
        int exp = (inv >> 4) & 0x07;
        int mant = inv & 0x0f;
        int step = 4 << (exp + 1);
        int mag = (0x80 << exp) + step * mant + step / 2 - 4 * 33;
        out[k] = (int16_t)(code < 0x80 ? -mag : mag);
    }
}
