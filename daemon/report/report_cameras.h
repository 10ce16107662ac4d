// The report's camera list, ranked (camera_ranking.h): each camera that sent something out or was
// alerted gets its facts, its destination map (country -> operator -> names) and its destination
// table; the quiet ones are folded into one line per vendor. Every camera keeps its anchor
// (cameraAnchor). Only the most severe cameras get a table, and the tables share a page-wide
// budget of rows, so 200 cameras that each talked to thousands of hosts still give a page a
// browser opens quickly; each cut says what the CSV holds.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "report/camera_ranking.h"
#include "report/destinations_csv.h"

namespace camwatch {

/// The most severe cameras get their destination table; the others their destination map and
/// a line that the CSV has their rows (a table's rows are most of what a browser spends on a
/// page: bench/report_bench.sh).
inline constexpr std::size_t kCamerasWithTables = 25;
/// Destination table rows the page lists at most, shared by those cameras...
inline constexpr std::size_t kTableRowsPerPage = 1000;
/// ... but never fewer than this per camera, nor more than kRowsPerCamera.
inline constexpr std::size_t kMinRowsPerCamera = 10;
inline constexpr std::size_t kRowsPerCamera = 500;
/// Operator entries of a camera's destination map.
inline constexpr std::size_t kMapEntriesPerCamera = 12;

/// The rows each table lists at most when `cameras_with_rows` ranked cameras have some.
std::size_t tableRowsPerCamera(std::size_t cameras_with_rows);

/// Appends `<h2 id="cameras">` with the ranked cameras and the quiet lines.
void appendCameras(std::string& html, const CameraRanking& ranking,
                   const std::vector<DestinationRow>& rows);

}  // namespace camwatch
