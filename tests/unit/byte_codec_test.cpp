// The bounds-checked codec every wire format is written with (base/byte_codec.h).
#define BOOST_TEST_MODULE byte_codec_test
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>

#include "base/byte_codec.h"
#include "tests/support/test_bytes.h"
#include "tests/support/test_printing.h"

using namespace epurse;
using namespace epurse::testing;

BOOST_AUTO_TEST_SUITE(reader)

BOOST_AUTO_TEST_CASE(reads_big_endian_integers_in_order) {
  const Bytes in = h("A1 B1B2 C1C2C3C4 D1D2D3D4D5D6D7D8");
  const ExactBuffer exact(in);
  ByteReader r(exact.view());
  BOOST_TEST(r.u8() == 0xA1u);
  BOOST_TEST(r.position() == 1u);
  BOOST_TEST(r.u16() == 0xB1B2u);
  BOOST_TEST(r.u32() == 0xC1C2C3C4u);
  BOOST_TEST(r.u64() == 0xD1D2D3D4D5D6D7D8u);
  BOOST_TEST(r.remaining() == 0u);
  BOOST_TEST(r.ok());
  BOOST_TEST(r.finish("test").isOk());
}

BOOST_AUTO_TEST_CASE(reads_bytes_arrays_length_prefixed_fields_and_the_rest) {
  const Bytes in = h("0102 03 E1E2E3 F1F2 C1C2C3");
  const ExactBuffer exact(in);
  ByteReader r(exact.view());
  BOOST_TEST(hx(r.bytes(2)) == "0102");
  BOOST_TEST(hx(r.lengthPrefixed8()) == "E1E2E3");
  const std::array<std::uint8_t, 2> a = r.array<2>();
  BOOST_TEST(hx(a) == "F1F2");
  BOOST_TEST(r.remaining() == 3u);
  BOOST_TEST(hx(r.rest()) == "C1C2C3");
  BOOST_TEST(r.finish("test").isOk());
}

BOOST_AUTO_TEST_CASE(an_empty_length_prefixed_field_reads_as_empty) {
  const Bytes in = h("00");
  ByteReader r(in);
  BOOST_TEST(r.lengthPrefixed8().empty());
  BOOST_TEST(r.finish("test").isOk());
}

BOOST_AUTO_TEST_CASE(a_read_past_the_end_fails_and_stays_failed) {
  const Bytes in = h("0102 03");
  const ExactBuffer exact(in);
  ByteReader r(exact.view());
  BOOST_TEST(r.u16() == 0x0102u);
  BOOST_TEST(r.u32() == 0u);  // only one byte left: zero, and the reader fails
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.remaining() == 0u);
  BOOST_TEST(r.u8() == 0u);  // sticky: even the byte that is there is not read any more
  BOOST_TEST(r.bytes(0).empty());
  BOOST_TEST(!r.ok());
  const Status finished = r.finish("the thing");
  BOOST_TEST_REQUIRE(!finished.isOk());
  BOOST_TEST(finished.error().code == ErrorCode::kMalformed);
  BOOST_TEST(finished.error().message == "the thing is too short");
  BOOST_TEST(!r.check("the thing").isOk());
}

BOOST_AUTO_TEST_CASE(a_failed_array_read_is_all_zeros) {
  const Bytes in = h("FFFF");
  ByteReader r(in);
  BOOST_TEST(hx(r.array<3>()) == "000000");
  BOOST_TEST(!r.ok());
}

BOOST_AUTO_TEST_CASE(a_length_prefix_beyond_the_end_fails) {
  const Bytes in = h("04 010203");
  const ExactBuffer exact(in);
  ByteReader r(exact.view());
  BOOST_TEST(r.lengthPrefixed8().empty());
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.finish("test").error().code == ErrorCode::kMalformed);
}

BOOST_AUTO_TEST_CASE(finish_refuses_leftover_bytes_and_check_does_not) {
  const Bytes in = h("010203");
  ByteReader r(in);
  (void)r.u8();
  BOOST_TEST(r.check("the thing").isOk());
  const Status finished = r.finish("the thing");
  BOOST_TEST_REQUIRE(!finished.isOk());
  BOOST_TEST(finished.error().code == ErrorCode::kMalformed);
  BOOST_TEST(finished.error().message == "the thing has 2 bytes too many");
}

BOOST_AUTO_TEST_CASE(an_empty_input_finishes_at_once) {
  ByteReader r(ByteView{});
  BOOST_TEST(r.remaining() == 0u);
  BOOST_TEST(r.finish("test").isOk());
  (void)r.u8();
  BOOST_TEST(!r.finish("test").isOk());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(writer)

BOOST_AUTO_TEST_CASE(writes_big_endian_integers_bytes_and_length_prefixed_fields) {
  ByteWriter w;
  w.reserve(32).u8(0xA1).u16(0xB1B2).u32(0xC1C2C3C4).u64(0xD1D2D3D4D5D6D7D8).bytes(h("E1E2")).lengthPrefixed8(h("F1F2F3"));
  BOOST_TEST(w.size() == 21u);
  BOOST_TEST(hx(w.view()) == "A1B1B2C1C2C3C4D1D2D3D4D5D6D7D8E1E203F1F2F3");
  BOOST_TEST(hx(w.take()) == "A1B1B2C1C2C3C4D1D2D3D4D5D6D7D8E1E203F1F2F3");
}

BOOST_AUTO_TEST_CASE(appends_to_a_callers_byte_string) {
  Bytes out = h("0102");
  ByteWriter w(out);
  w.u16(0x0304).lengthPrefixed8({});
  BOOST_TEST(hx(out) == "0102030400");
  BOOST_TEST(w.size() == 5u);
}

BOOST_AUTO_TEST_CASE(a_length_prefixed8_field_holds_at_most_255_bytes) {
  ByteWriter w;
  w.lengthPrefixed8(Bytes(255, 0x5A));
  BOOST_TEST(w.size() == 256u);
  BOOST_TEST(w.view()[0] == 0xFFu);
  BOOST_CHECK_THROW(w.lengthPrefixed8(Bytes(256, 0x5A)), std::length_error);
  BOOST_TEST(w.size() == 256u);  // nothing was written
}

BOOST_AUTO_TEST_CASE(what_the_writer_writes_the_reader_reads) {
  ByteWriter w;
  w.u8(0x7F).u16(0x8001).u32(0xFEDCBA98).u64(0x0123456789ABCDEF).lengthPrefixed8(h("C0FFEE"));
  const Bytes out = w.take();
  ByteReader r(out);
  BOOST_TEST(r.u8() == 0x7Fu);
  BOOST_TEST(r.u16() == 0x8001u);
  BOOST_TEST(r.u32() == 0xFEDCBA98u);
  BOOST_TEST(r.u64() == 0x0123456789ABCDEFu);
  BOOST_TEST(hx(r.lengthPrefixed8()) == "C0FFEE");
  BOOST_TEST(r.finish("test").isOk());
}

BOOST_AUTO_TEST_CASE(writes_an_ascii_tag_without_a_terminator) {
  ByteWriter w;
  w.ascii("REQ").ascii("");
  BOOST_TEST(hx(w.view()) == "524551");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fixed_writer)

BOOST_AUTO_TEST_CASE(writes_in_place_and_leaves_the_rest_of_the_buffer) {
  Bytes buffer = h("EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE");  // 17 bytes
  FixedByteWriter w(std::span<std::uint8_t>(buffer).first(16));
  w.u8(0xA1).u16(0xB1B2).u32(0xC1C2C3C4).bytes(h("D1"));
  BOOST_TEST(w.size() == 8u);
  BOOST_TEST(w.remaining() == 8u);
  w.u64(0x0102030405060708);
  BOOST_TEST(w.remaining() == 0u);
  BOOST_TEST(hx(buffer) == "A1B1B2C1C2C3C4D10102030405060708EE");
}

BOOST_AUTO_TEST_CASE(writing_past_the_end_throws_length_error_and_writes_nothing) {
  Bytes buffer(3, 0xEE);
  FixedByteWriter w(buffer);
  w.u16(0x0102);
  BOOST_CHECK_THROW(w.u16(0x0304), std::length_error);
  BOOST_CHECK_THROW(w.bytes(h("0304")), std::length_error);
  BOOST_TEST(hx(buffer) == "0102EE");
  w.u8(0x03);
  BOOST_CHECK_THROW(w.u8(0x04), std::length_error);
  BOOST_TEST(hx(buffer) == "010203");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(to_array)

BOOST_AUTO_TEST_CASE(takes_exactly_n_bytes) {
  auto a = toArray<3>(h("010203"));
  BOOST_TEST_REQUIRE(a.isOk(), why(a));
  BOOST_TEST(hx(*a) == "010203");
}

BOOST_AUTO_TEST_CASE(refuses_shorter_and_longer_input) {
  for (const Bytes& in : {h("0102"), h("01020304"), Bytes{}}) {
    auto a = toArray<3>(in);
    BOOST_TEST_REQUIRE(!a.isOk());
    BOOST_TEST(a.error().code == ErrorCode::kMalformed);
  }
  BOOST_TEST(toArray<3>(h("01020304")).error().message == "expected 3 bytes, got 4");
}

BOOST_AUTO_TEST_SUITE_END()
