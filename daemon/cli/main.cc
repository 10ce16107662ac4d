#include "cli/cli.h"

int main(int argc, char** argv) { return camwatch::runCli(argc, argv); }
