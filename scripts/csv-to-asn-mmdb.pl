#!/usr/bin/perl
# Builds an ASN MMDB (the MaxMind GeoLite2-ASN field names, so camwatch and mmdblookup read it
# like any ASN database) from the CSV files of the npm package @ip-location-db/asn.
#
#   scripts/csv-to-asn-mmdb.pl [--source TEXT] OUTPUT.mmdb asn-ipv4.csv asn-ipv6.csv
#
# CSV rows: ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization
# (inclusive ranges; the organisation is quoted when it holds a comma or a quote, "" escapes a
# quote). A line of any other shape stops the build with its file and line number.
# The tree is IPv6 with the IPv4-mapped, Teredo and 6to4 ranges aliased to IPv4, as MaxMind's own
# databases are, so IPv4 lookups work in it. Reserved networks are left out by the writer.
# Needs Debian's libmaxmind-db-writer-perl. The output appears atomically (written beside it,
# then renamed), so a reader never sees half a database.
use strict;
use warnings;

use Encode qw(decode);
use Getopt::Long qw(GetOptions);
use MaxMind::DB::Writer::Tree;

my $source = '@ip-location-db/asn';
GetOptions('source=s' => \$source)
  or die "usage: $0 [--source TEXT] OUTPUT.mmdb CSV...\n";
die "usage: $0 [--source TEXT] OUTPUT.mmdb CSV...\n" if @ARGV < 2;
my ($output, @inputs) = @ARGV;

my %types = (
  autonomous_system_number       => 'uint32',
  autonomous_system_organization => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
  ip_version            => 6,
  # 28-bit records: ~500k ranges split into a few million nodes plus the data section overflow
  # the 24-bit limit (16M), and 32 bits would only make the file bigger.
  record_size           => 28,
  database_type         => 'ip-location-db-ASN',
  languages             => ['en'],
  description           => {en => "ASN database built by camwatch from $source"},
  alias_ipv6_to_ipv4    => 1,
  map_key_type_callback => sub { $types{$_[0]} // die "no MMDB type for key '$_[0]'\n" },
);

# Many ranges belong to the same AS; sharing one hash per (ASN, organisation) keeps memory down
# (the writer also deduplicates identical records in the data section).
my %record_cache;
my $rows = 0;
my $aliased = 0;
for my $input (@inputs) {
  open(my $in, '<:raw', $input) or die "$input: cannot open: $!\n";
  while (my $line = <$in>) {
    $line =~ s/\r?\n\z//;
    next if $line eq '';
    # Invalid UTF-8 is replaced rather than fatal: one bad organisation name must not cost the
    # whole database.
    $line = decode('UTF-8', $line);
    my ($start, $end, $asn, $org) = split(/,/, $line, 4);
    # Strict about the shape: a fifth column, a stray quote or a range that mixes IPv4 and IPv6
    # means the format changed, and guessing would put wrong names on addresses.
    my ($quoted) = defined $org ? $org =~ /\A"((?:[^"]|"")*)"\z/s : ();
    if (!defined $org || $start !~ /\A[0-9A-Fa-f.:]+\z/ || $end !~ /\A[0-9A-Fa-f.:]+\z/
        || ($start =~ /:/) != ($end =~ /:/) || $asn !~ /\A[0-9]+\z/ || $asn > 0xffffffff
        || (!defined $quoted && $org =~ /[",]/)) {
      die "$input:$.: expected ip_range_start,ip_range_end,autonomous_system_number,"
        . "autonomous_system_organization (both ends IPv4 or both IPv6; the organisation quoted "
        . "when it holds a comma or a quote), got: $line\n";
    }
    if (defined $quoted) {
      ($org = $quoted) =~ s/""/"/g;
    }
    my $key = "$asn\0$org";
    my $record = $record_cache{$key} //= {
      autonomous_system_number => $asn + 0,
      ($org ne '' ? (autonomous_system_organization => $org) : ()),
    };
    # Rows inside an aliased range (Teredo 2001::/32, 6to4 2002::/16) would overwrite the alias;
    # lookups there find the embedded IPv4 address's AS instead, which is the better answer.
    if (!eval { $tree->insert_range($start, $end, $record); 1 }) {
      my $error = $@;
      # The writer's messages end in its own source position, which helps nobody here.
      $error =~ s/ at \S+ line \d+(?:, <\$in> line \d+)?\.\n\z/\n/;
      die "$input:$.: $error" if $error !~ /aliased network/;
      ++$aliased;
      next;
    }
    ++$rows;
  }
  close($in) or die "$input: read error: $!\n";
}
die "no rows in @inputs\n" if $rows == 0;

my $temporary = "$output.tmp.$$";
open(my $out, '>:raw', $temporary) or die "$temporary: cannot create: $!\n";
$tree->write_tree($out);
close($out) or die "$temporary: write error: $!\n";
rename($temporary, $output) or die "$output: cannot rename $temporary to it: $!\n";
printf STDERR "%s: %d ranges from %d file(s), %d skipped inside aliased IPv6 ranges\n", $output,
  $rows, scalar @inputs, $aliased;
