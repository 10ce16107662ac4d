#include "support/test_certificates.h"

#include <cstdlib>

namespace camwatch::testkit {

bool makeTestCertificates(const std::string& dir) {
  const std::string quiet = " >/dev/null 2>&1";
  const std::string command =
      "cd '" + dir +
      "' && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
      "-subj '/CN=camwatch test CA'" +
      quiet +
      " && openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem "
      "-days 2 -subj '/CN=someone else'" +
      quiet +
      " && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
      "-subj '/CN=localhost'" +
      quiet +
      " && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.cnf"
      " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
      "-out server.pem -days 2 -extfile san.cnf" +
      quiet;
  return std::system(command.c_str()) == 0;
}

}  // namespace camwatch::testkit
