// test_certificates: a throw-away PKI for the TLS tests (the syslog sink over TLS, /metrics
// behind a TLS front), made with Debian's openssl command.
#pragma once

#include <string>

namespace camwatch::testkit {

/// In `dir`: a CA (ca.pem, ca.key) and a server certificate it signed for 127.0.0.1 and
/// localhost (server.pem, server.key), and another CA (other-ca.pem) that signed nothing, for
/// the tests a wrong CA must fail. Valid for two days. @return false when openssl failed.
bool makeTestCertificates(const std::string& dir);

}  // namespace camwatch::testkit
