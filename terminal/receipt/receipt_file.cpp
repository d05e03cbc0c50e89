#include "terminal/receipt/receipt_file.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/durable_file.h"
#include "base/hex.h"
#include "cli/json_fields.h"

namespace epurse::terminal {
namespace {

using protocol::CardCertificate;
using protocol::SignedTransferMessage;

constexpr int kMaxDepth = 4;  // the root and the "payment" object
constexpr mode_t kReceiptMode = 0644;

Result<Bytes> hexField(const cli::JsonFields& fields, std::string_view key, std::size_t size) {
  auto text = fields.string(key);
  if (!text) return text.error();
  auto bytes = fromHex(*text);
  const std::string path = cli::fieldPath(fields.path(), key);
  if (!bytes) return cli::malformedAt(path, "not hex: " + bytes.error().message);
  if (bytes->size() != size) {
    return cli::malformedAt(path, std::to_string(bytes->size()) + " bytes, not " + std::to_string(size));
  }
  return bytes;
}

template <std::size_t N>
Status copyTo(const Result<Bytes>& bytes, std::array<std::uint8_t, N>& out) {
  if (!bytes) return bytes.error();
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return Status::ok();
}

Result<std::uint32_t> u32Field(const cli::JsonFields& fields, std::string_view key, std::uint64_t max) {
  auto n = fields.unsignedInteger(key);
  if (!n) return n.error();
  if (*n > max) return cli::malformedAt(cli::fieldPath(fields.path(), key), "out of range");
  return static_cast<std::uint32_t>(*n);
}

Result<SignedTransferMessage> messageField(const cli::JsonFields& fields, std::string_view key) {
  auto bytes = hexField(fields, key, SignedTransferMessage::kSize);
  if (!bytes) return bytes.error();
  auto message = SignedTransferMessage::decode(*bytes);
  if (!message) return cli::malformedAt(cli::fieldPath(fields.path(), key), message.error().message);
  return message;
}

Result<CardCertificate> certificateField(const cli::JsonFields& fields, std::string_view key) {
  auto bytes = hexField(fields, key, CardCertificate::kEncodedSize);
  if (!bytes) return bytes.error();
  auto cert = CardCertificate::decode(*bytes);
  if (!cert) return cli::malformedAt(cli::fieldPath(fields.path(), key), cert.error().message);
  return cert;
}

Result<protocol::PaymentDetails> paymentField(const nlohmann::json& object) {
  auto fields = cli::JsonFields::of(object, "payment",
                                    {"payer", "payerSeq", "payee", "payeeSeq", "value", "currency", "reference"});
  if (!fields) return fields.error();
  protocol::PaymentDetails pd;
  if (Status s = copyTo(hexField(*fields, "payer", pd.fromId.size()), pd.fromId); !s) return s.error();
  if (Status s = copyTo(hexField(*fields, "payee", pd.toId.size()), pd.toId); !s) return s.error();
  if (Status s = copyTo(hexField(*fields, "reference", pd.reference.size()), pd.reference); !s) return s.error();
  constexpr std::uint64_t kU32 = 0xFFFFFFFFu;
  auto fromSeq = u32Field(*fields, "payerSeq", kU32);
  if (!fromSeq) return fromSeq.error();
  auto toSeq = u32Field(*fields, "payeeSeq", kU32);
  if (!toSeq) return toSeq.error();
  auto value = u32Field(*fields, "value", kU32);
  if (!value) return value.error();
  auto currency = u32Field(*fields, "currency", 0xFFFF);
  if (!currency) return currency.error();
  pd.fromSeq = *fromSeq;
  pd.toSeq = *toSeq;
  pd.value = *value;
  pd.currency = static_cast<protocol::Currency>(*currency);
  return pd;
}

}  // namespace

protocol::PurchaseReference purchaseReferenceFor(ByteView order) {
  const protocol::Digest digest = protocol::sha256(order);
  protocol::PurchaseReference reference{};
  static_assert(std::tuple_size_v<protocol::Digest> == std::tuple_size_v<protocol::PurchaseReference>);
  std::copy(digest.begin(), digest.end(), reference.begin());
  return reference;
}

std::string encodeReceipt(const PaymentReceipt& r) {
  nlohmann::ordered_json payment;
  payment["payer"] = toHex(r.pd.fromId);
  payment["payerSeq"] = r.pd.fromSeq;
  payment["payee"] = toHex(r.pd.toId);
  payment["payeeSeq"] = r.pd.toSeq;
  payment["value"] = r.pd.value;
  payment["currency"] = r.pd.currency;
  payment["reference"] = toHex(r.pd.reference);
  nlohmann::ordered_json file;
  file["format"] = kReceiptFormat;
  file["version"] = kReceiptVersion;
  file["paidAt"] = r.paidAt;
  file["payment"] = std::move(payment);
  file["orderHash"] = toHex(r.orderHash);
  file["req"] = toHex(r.req.encode());
  file["val"] = toHex(r.val.encode());
  file["ack"] = toHex(r.ack.encode());
  file["payerCertificate"] = toHex(r.payerCertificate.encode());
  file["payeeCertificate"] = toHex(r.payeeCertificate.encode());
  std::string text = file.dump(2);
  text += "\n";
  return text;
}

Result<PaymentReceipt> parseReceipt(std::string_view text) {
  auto json = cli::parseStrictJson(text, kMaxDepth);
  if (!json) return json.error();
  auto fields = cli::JsonFields::of(*json, "",
                                    {"format", "version", "paidAt", "payment", "orderHash", "req", "val", "ack",
                                     "payerCertificate", "payeeCertificate"});
  if (!fields) return fields.error();
  auto format = fields->string("format");
  if (!format) return format.error();
  if (*format != kReceiptFormat) {
    return cli::malformedAt("format", "'" + *format + "' is not " + std::string(kReceiptFormat));
  }
  auto version = fields->unsignedInteger("version");
  if (!version) return version.error();
  if (*version != kReceiptVersion) {
    return cli::malformedAt("version", std::to_string(*version) + " is not a version this program reads (" +
                                           std::to_string(kReceiptVersion) + ")");
  }
  PaymentReceipt receipt;
  auto paidAt = fields->string("paidAt");
  if (!paidAt) return paidAt.error();
  receipt.paidAt = *paidAt;
  if (!json->contains("payment")) return cli::malformedAt("payment", "missing");
  auto pd = paymentField(json->at("payment"));
  if (!pd) return pd.error();
  receipt.pd = *pd;
  if (Status s = copyTo(hexField(*fields, "orderHash", receipt.orderHash.size()), receipt.orderHash); !s) {
    return s.error();
  }
  auto req = messageField(*fields, "req");
  if (!req) return req.error();
  auto val = messageField(*fields, "val");
  if (!val) return val.error();
  auto ack = messageField(*fields, "ack");
  if (!ack) return ack.error();
  auto payerCert = certificateField(*fields, "payerCertificate");
  if (!payerCert) return payerCert.error();
  auto payeeCert = certificateField(*fields, "payeeCertificate");
  if (!payeeCert) return payeeCert.error();
  receipt.req = *req;
  receipt.val = *val;
  receipt.ack = *ack;
  receipt.payerCertificate = *payerCert;
  receipt.payeeCertificate = *payeeCert;
  return receipt;
}

Status writeReceiptFile(const std::string& path, const PaymentReceipt& receipt) {
  return writeFileDurably(path, bytesOf(encodeReceipt(receipt)), kReceiptMode, IfExists::kRefuse);
}

Result<PaymentReceipt> readReceiptFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fileError("cannot read", path, errno);
  std::string text(kMaxReceiptFileSize + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return fileError("cannot read", path, errno);
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxReceiptFileSize) {
    return makeError(ErrorCode::kMalformed, path + ": larger than " + std::to_string(kMaxReceiptFileSize) +
                                                " bytes; not a payment receipt");
  }
  auto receipt = parseReceipt(text);
  if (!receipt) return makeError(ErrorCode::kMalformed, path + ": " + receipt.error().message);
  return receipt;
}

}  // namespace epurse::terminal
