/*
 * watcher_fuzz.c: the watcher's queue bookkeeping (shim_ring) against a
 * model, and its records. Any sequence of arrivals, drains and peeks: slots
 * stay below the capacity, a slot in use is never handed out again, entries
 * leave oldest first, queued arrivals are numbered without gaps, drops are
 * counted (saturating) only on a full queue. Records: a file name is cut at
 * 260 units without scanning past the cut, and a record goes only into a
 * slot of the caller's buffer.
 */
#include "fuzz_input.h"

/* Operations per input, and so the most entries the model tracks. */
#define MAX_OPS 512u

typedef struct model {
  uint32_t slots[MAX_OPS];
  uint32_t sequences[MAX_OPS];
  uint32_t first;
  uint32_t count;
} model;

static void fuzz_ring(fuzz_input *in) {
  shim_ring r;
  model m;
  uint32_t capacity;
  uint32_t dropped = 0;
  uint32_t ops = 0;
  uint32_t i;

  memset(&m, 0, sizeof m);
  /* Small queues to fill; sometimes any capacity, with the head anywhere,
   * where head + count would wrap 32 bits. */
  capacity = take_u8(in) & 0x80u ? take_u32(in) : 1u + take_u8(in) % 16u;
  shim_ring_init(&r, capacity);
  if (capacity == 0) {
    CHECK(r.capacity == 1);
    capacity = 1;
  }
  CHECK(r.count == 0 && r.next_sequence == 1 && r.dropped == 0);
  if (take_u8(in) & 1u) {
    r.head = take_u32(in) % capacity;
  }
  /* Near the ends of the counters, to see them wrap and saturate. */
  if (take_u8(in) & 1u) {
    r.next_sequence = 0xFFFFFFFFu - take_u8(in) % 4u;
  }
  if (take_u8(in) & 1u) {
    r.dropped = dropped = 0xFFFFFFFFu - take_u8(in) % 4u;
  }

  while (in->n > 0 && ops++ < MAX_OPS) {
    uint8_t op = take_u8(in);
    switch (op % 4u) {
    case 0:
    case 1: {
      uint32_t slot = 0xDEADBEEFu;
      uint32_t sequence = 0xDEADBEEFu;
      uint32_t expected_sequence = r.next_sequence;
      int queued = shim_ring_push(&r, &slot, &sequence);
      if (m.count < capacity) {
        CHECK(queued == 1);
        CHECK(slot < capacity);
        CHECK(sequence == expected_sequence);
        CHECK(r.next_sequence == expected_sequence + 1u);
        for (i = 0; i < m.count; i++) {
          CHECK(m.slots[(m.first + i) % MAX_OPS] != slot);
        }
        m.slots[(m.first + m.count) % MAX_OPS] = slot;
        m.sequences[(m.first + m.count) % MAX_OPS] = sequence;
        m.count++;
      } else {
        CHECK(queued == 0);
        CHECK(slot == 0xDEADBEEFu && sequence == 0xDEADBEEFu);
        if (dropped != 0xFFFFFFFFu) {
          dropped++;
        }
      }
      break;
    }
    case 2: {
      /* A drain of up to `want` entries, as bits_watcher_drain does. */
      uint32_t want = take_u8(in) % 8u;
      while (want-- > 0 && r.count > 0) {
        uint32_t slot = shim_ring_pop(&r);
        CHECK(m.count > 0);
        CHECK(slot == m.slots[m.first]);
        m.first = (m.first + 1u) % MAX_OPS;
        m.count--;
      }
      CHECK(shim_ring_take_dropped(&r) == dropped);
      CHECK(r.dropped == 0);
      dropped = 0;
      break;
    }
    default:
      /* What the last Release walks. */
      for (i = 0; i < r.count; i++) {
        CHECK(shim_ring_slot(&r, i) == m.slots[(m.first + i) % MAX_OPS]);
      }
      break;
    }
    CHECK(r.count == m.count);
    CHECK(r.count <= capacity && r.head < capacity);
    CHECK(r.dropped == dropped);
  }
  /* Sequences of queued entries are consecutive, oldest first. */
  for (i = 1; i < m.count; i++) {
    CHECK(m.sequences[(m.first + i) % MAX_OPS] ==
          m.sequences[(m.first + i - 1u) % MAX_OPS] + 1u);
  }
}

static void fuzz_records(fuzz_input *in) {
  shim_event_record r;
  uint32_t units = take_u16(in) % 600u;
  int terminated = (take_u8(in) & 1u) || units < BITS_EVENT_FILE_NAME_UNITS;
  /* Unterminated names only past the cut: the copy must stop there. */
  uint16_t *name = terminated ? take_string(in, units) : take_units(in, units, 0);
  uint32_t expected = units < BITS_EVENT_FILE_NAME_UNITS
                          ? units
                          : BITS_EVENT_FILE_NAME_UNITS;
  uint32_t cap;
  uint32_t index;
  uint8_t *out;
  HRESULT hr;
  uint32_t i;

  if (!terminated) {
    for (i = 0; i < units; i++) {
      if (name[i] == 0) {
        name[i] = 1;
      }
    }
  }
  memset(&r, SENTINEL, sizeof r);
  shim_event_set_file_name(&r, name);
  CHECK(r.file_name_len == expected);
  CHECK(memcmp(r.file_name, name, (size_t)expected * 2u) == 0);
  CHECK(all_bytes(r.file_name + expected,
                  (BITS_EVENT_FILE_NAME_UNITS - expected) * 2u, SENTINEL));
  CHECK(r.kind == 0xA5A5A5A5u && r.range_count == 0xA5A5A5A5u);
  shim_event_set_file_name(&r, NULL);
  CHECK(r.file_name_len == 0);
  free(name);

  cap = take_u8(in) % 5u;
  index = take_u8(in) % 7u;
  out = cap != 0 ? (uint8_t *)exact_alloc((size_t)cap * BITS_EVENT_RECORD_BYTES,
                                          SENTINEL)
                 : NULL;
  memset(&r, 0x3C, sizeof r);
  hr = shim_store_event_record(out, cap, index, &r);
  if (index < cap) {
    CHECK(hr == S_OK);
    CHECK(memcmp(out + (size_t)index * BITS_EVENT_RECORD_BYTES, &r,
                 sizeof r) == 0);
    CHECK(all_bytes(out, (size_t)index * BITS_EVENT_RECORD_BYTES, SENTINEL));
    CHECK(all_bytes(out + ((size_t)index + 1u) * BITS_EVENT_RECORD_BYTES,
                    ((size_t)cap - index - 1u) * BITS_EVENT_RECORD_BYTES,
                    SENTINEL));
  } else {
    CHECK(hr == E_INVALIDARG);
    CHECK(out == NULL ||
          all_bytes(out, (size_t)cap * BITS_EVENT_RECORD_BYTES, SENTINEL));
  }
  free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_input in = {data, size};
  if (take_u8(&in) & 1u) {
    fuzz_records(&in);
  } else {
    fuzz_ring(&in);
  }
  return 0;
}
