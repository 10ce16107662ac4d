#!/usr/bin/perl
# Writes the small MMDB files the geo tests read, into OUTPUT_DIR:
#
#   maxmind-city.mmdb           MaxMind City schema (country / registered_country maps), IPv6 tree
#   maxmind-country-ipv4.mmdb   MaxMind Country schema in an IPv4-only tree
#   maxmind-asn.mmdb            MaxMind ASN schema (autonomous_system_number/_organization)
#   iplocation-country.mmdb     ip-location-db country schema (country_code)
#   iplocation-asn.mmdb         ASN as scripts/csv-to-asn-mmdb.pl builds it from ip-location-db
#   iplocation-combined.mmdb    country_code and ASN fields in one file
#   demo-geo.mmdb               the same schema, for the public addresses of the demo capture
#                               (`camwatch-testgen demo`): two of them outside the allow list of
#                               dashboards/prometheus/camwatch-rules.yml (HK, SG); the public
#                               resolvers it uses in CH and US
#
#   perl tests/support/make_test_mmdb.pl OUTPUT_DIR
#
# Or one database shaped like geo-whois-asn-country.mmdb of the npm package
# @ip-location-db/geo-whois-asn-country-mmdb (type "country ipvAll", field country_code, IPv6
# tree with IPv4 at ::/96 and no IPv4-mapped aliases, 24-bit records, no languages or
# description), with the data given, for the tests of scripts/fetch-geoip.sh:
#
#   perl tests/support/make_test_mmdb.pl --country-code OUTPUT.mmdb RANGE=CC...
#
# RANGE is a network (8.8.8.0/24) or an inclusive range (8.8.8.0-8.8.8.255).
#
# The data is made up, but each schema's field names and types are those of the real files.
# Every database also maps 10.0.0.0/8 to "XX" / AS 64511: a test that finds it has looked up an
# address it should have labelled private. Deterministic: fixed build time, and the writer sorts
# map keys. Needs Debian's libmaxmind-db-writer-perl.
use strict;
use warnings;
use utf8;

use MaxMind::DB::Writer::Tree;

my $usage = "usage: $0 OUTPUT_DIR\n       $0 --country-code OUTPUT.mmdb RANGE=CC...\n";
if (@ARGV && $ARGV[0] eq '--country-code') {
  shift @ARGV;
  my $file = shift @ARGV // die $usage;
  my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version            => 6,
    record_size           => 24,
    database_type         => 'country ipvAll',
    languages             => [],
    description           => {},
    map_key_type_callback => sub { 'utf8_string' },
  );
  $tree->_set_build_epoch(1_704_067_200);
  for my $argument (@ARGV) {
    my ($range, $country) = $argument =~ /\A([^=]+)=([A-Z]{2})\z/
      or die "$argument: expected RANGE=CC (8.8.8.0/24=US or 8.8.8.0-8.8.8.255=US)\n";
    if ($range =~ /\A([^-]+)-([^-]+)\z/) {
      $tree->insert_range($1, $2, {country_code => $country});
    } else {
      $tree->insert_network($range, {country_code => $country});
    }
  }
  open(my $out, '>:raw', $file) or die "$file: cannot create: $!\n";
  $tree->write_tree($out);
  close($out) or die "$file: write error: $!\n";
  exit 0;
}
die $usage unless @ARGV == 1;
my $dir = $ARGV[0];
-d $dir or die "$dir: not a directory\n";

my %types = (
  autonomous_system_number       => 'uint32',
  autonomous_system_organization => 'utf8_string',
  city                           => 'map',
  continent                      => 'map',
  code                           => 'utf8_string',
  country                        => 'map',
  country_code                   => 'utf8_string',
  en                             => 'utf8_string',
  geoname_id                     => 'uint32',
  iso_code                       => 'utf8_string',
  names                          => 'map',
  registered_country             => 'map',
);

sub write_db {
  my ($file, $ip_version, $type, @networks) = @_;
  my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version            => $ip_version,
    record_size           => 24,
    database_type         => $type,
    languages             => ['en'],
    description           => {en => "camwatch test database ($type)"},
    alias_ipv6_to_ipv4    => $ip_version == 6 ? 1 : 0,
    # The private 10.0.0.0/8 trap must stay in the tree.
    remove_reserved_networks => 0,
    map_key_type_callback => sub { $types{$_[0]} // die "$file: no MMDB type for key '$_[0]'\n" },
  );
  $tree->_set_build_epoch(1_704_067_200);  # 2024-01-01: same bytes on every run
  while (my ($network, $data) = splice(@networks, 0, 2)) {
    $tree->insert_network($network, $data);
  }
  open(my $out, '>:raw', "$dir/$file") or die "$dir/$file: cannot create: $!\n";
  $tree->write_tree($out);
  close($out) or die "$dir/$file: write error: $!\n";
}

sub maxmind_country {
  my ($iso, $name, %extra) = @_;
  my $country = {geoname_id => 1000, iso_code => $iso, names => {en => $name}};
  return {
    continent          => {code => 'EU', geoname_id => 6255148, names => {en => 'Europe'}},
    country            => $country,
    registered_country => $country,
    %extra,
  };
}

sub asn { return {autonomous_system_number => $_[0], autonomous_system_organization => $_[1]} }

my $trap_country = maxmind_country('XX', 'Trap');

write_db('maxmind-city.mmdb', 6, 'GeoLite2-City',
  '10.0.0.0/8'        => $trap_country,
  '81.2.69.0/24'      => maxmind_country('GB', 'United Kingdom',
                                         city => {geoname_id => 2643743, names => {en => 'London'}}),
  '1.2.3.0/24'        => maxmind_country('AU', 'Australia'),
  # A block with only the country it is registered in (as MaxMind has for anycast/satellite).
  '5.6.7.0/24'        => {registered_country => {geoname_id => 2661886, iso_code => 'SE',
                                                 names => {en => 'Sweden'}}},
  '2a02:cf40::/29'    => maxmind_country('NO', 'Norway'),
  '2001:4860::/32'    => maxmind_country('US', 'United States'),
);

write_db('maxmind-country-ipv4.mmdb', 4, 'GeoLite2-Country',
  '10.0.0.0/8' => $trap_country,
  '1.2.3.0/24' => maxmind_country('AU', 'Australia'),
);

write_db('maxmind-asn.mmdb', 6, 'GeoLite2-ASN',
  '10.0.0.0/8'     => asn(64511, 'Trap'),
  '1.2.3.0/24'     => asn(64500, 'Example Pty Ltd'),
  '81.2.69.0/24'   => asn(64501, 'Example UK Limited'),
  '2001:4860::/32' => asn(15169, 'Google LLC'),
);

write_db('iplocation-country.mmdb', 6, 'country ipvAll',
  '10.0.0.0/8'   => {country_code => 'XX'},
  '1.2.3.0/24'   => {country_code => 'JP'},
  '9.9.9.0/24'   => {country_code => 'CH'},
  '2620:fe::/48' => {country_code => 'CH'},
);

write_db('iplocation-asn.mmdb', 6, 'ip-location-db-ASN',
  '10.0.0.0/8'   => asn(64511, 'Trap'),
  '9.9.9.0/24'   => asn(19281, 'Quad9'),
  '2620:fe::/48' => asn(19281, 'Quad9'),
  '1.2.3.0/24'   => asn(64502, 'Zürich Net AG, "Example"'),
);

write_db('iplocation-combined.mmdb', 6, 'country asn ipvAll',
  '10.0.0.0/8' => {country_code => 'XX', %{asn(64511, 'Trap')}},
  '9.9.9.0/24' => {country_code => 'CH', %{asn(19281, 'Quad9')}},
);

# Made up like the rest, but shaped like the real owners of these addresses.
write_db('demo-geo.mmdb', 6, 'country asn ipvAll',
  '162.159.200.0/24' => {country_code => 'US', %{asn(13335, 'Cloudflare, Inc.')}},
  '52.5.0.0/16'      => {country_code => 'US', %{asn(14618, 'Amazon.com, Inc.')}},
  '93.184.215.0/24'  => {country_code => 'US', %{asn(15133, 'Edgecast Inc.')}},
  '47.254.0.0/16'    => {country_code => 'DE', %{asn(45102, 'Alibaba (US) Technology Co., Ltd.')}},
  '47.88.0.0/16'     => {country_code => 'SG', %{asn(45102, 'Alibaba (US) Technology Co., Ltd.')}},
  '43.130.0.0/16'    => {country_code => 'HK', %{asn(132203, 'Tencent Building, Kejizhongyi Avenue')}},
  # Public resolvers the demo's cameras ask instead of the site's (plain DNS, DoH, DoT).
  '9.9.9.0/24'       => {country_code => 'CH', %{asn(19281, 'Quad9')}},
  '8.8.8.0/24'       => {country_code => 'US', %{asn(15169, 'Google LLC')}},
  '1.1.1.0/24'       => {country_code => 'US', %{asn(13335, 'Cloudflare, Inc.')}},
);
