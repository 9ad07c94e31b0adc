//! A rich menu's geometry: the picture sizes LINE accepts, tap areas that
//! stay inside the picture and never overlap, LINE's standard grids, and the
//! designer's snapping and nudging. One set of rules, run by the designer in
//! the browser as the user draws and by the server before anything is saved
//! or sent to LINE.

use crate::line_limits::{RICH_MENU_MAX_AREAS, RICH_MENU_MAX_WIDTH, RICH_MENU_MIN_ASPECT, RICH_MENU_MIN_HEIGHT, RICH_MENU_MIN_WIDTH};
use serde::{Deserialize, Serialize};

/// A rich menu picture's size in pixels, shaped as LINE's API has it
/// (`size`): the LINE client sends this type as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuSize {
    pub width: u32,
    pub height: u32,
}

/// LINE's large menu (two rows of tiles on a phone).
pub const LARGE: MenuSize = MenuSize { width: 2500, height: 1686 };
/// LINE's compact menu (one row).
pub const COMPACT: MenuSize = MenuSize { width: 2500, height: 843 };

/// Why LINE would refuse a picture size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SizeProblem {
    /// Narrower than 800 pixels.
    TooNarrow,
    /// Wider than 2500 pixels.
    TooWide,
    /// Lower than 250 pixels.
    TooLow,
    /// Taller than width ÷ 1.45.
    TooTall,
}

impl MenuSize {
    pub fn problem(self) -> Option<SizeProblem> {
        if self.width < RICH_MENU_MIN_WIDTH {
            Some(SizeProblem::TooNarrow)
        } else if self.width > RICH_MENU_MAX_WIDTH {
            Some(SizeProblem::TooWide)
        } else if self.height < RICH_MENU_MIN_HEIGHT {
            Some(SizeProblem::TooLow)
        } else if (self.width as f64) < self.height as f64 * RICH_MENU_MIN_ASPECT {
            Some(SizeProblem::TooTall)
        } else {
            None
        }
    }

    /// The tallest picture LINE accepts at this width.
    pub fn max_height(width: u32) -> u32 {
        (width as f64 / RICH_MENU_MIN_ASPECT).floor() as u32
    }
}

/// A tap area in picture pixels, named and shaped as LINE's API has it
/// (`bounds`): the LINE client sends this type as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bounds {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Bounds {
    pub fn right(&self) -> u32 {
        self.x + self.width
    }

    pub fn bottom(&self) -> u32 {
        self.y + self.height
    }

    /// Whether the two share any pixel (touching edges do not).
    pub fn overlaps(&self, other: &Bounds) -> bool {
        self.x < other.right() && other.x < self.right() && self.y < other.bottom() && other.y < self.bottom()
    }

    pub fn inside(&self, size: MenuSize) -> bool {
        self.right() <= size.width && self.bottom() <= size.height
    }

    pub fn contains(&self, x: u32, y: u32) -> bool {
        x >= self.x && x < self.right() && y >= self.y && y < self.bottom()
    }

    /// The area a drag from one corner to the opposite one draws, kept
    /// inside the picture, whichever way the pointer went.
    pub fn from_drag(from: (i64, i64), to: (i64, i64), size: MenuSize) -> Bounds {
        let clamp_x = |v: i64| v.clamp(0, size.width as i64) as u32;
        let clamp_y = |v: i64| v.clamp(0, size.height as i64) as u32;
        let (x0, x1) = (clamp_x(from.0.min(to.0)), clamp_x(from.0.max(to.0)));
        let (y0, y1) = (clamp_y(from.1.min(to.1)), clamp_y(from.1.max(to.1)));
        Bounds {
            x: x0,
            y: y0,
            width: x1 - x0,
            height: y1 - y0,
        }
    }

    /// Moved by (dx, dy) pixels, stopping at the picture's edges (the
    /// designer's arrow keys and a dragged area).
    pub fn moved(&self, dx: i64, dy: i64, size: MenuSize) -> Bounds {
        let max_x = size.width.saturating_sub(self.width) as i64;
        let max_y = size.height.saturating_sub(self.height) as i64;
        Bounds {
            x: (self.x as i64 + dx).clamp(0, max_x) as u32,
            y: (self.y as i64 + dy).clamp(0, max_y) as u32,
            ..*self
        }
    }

    /// Its bottom-right corner dragged by (dx, dy), never smaller than
    /// `MIN_SIDE` nor past the picture's edge (the designer's handle).
    pub fn resized(&self, dx: i64, dy: i64, size: MenuSize) -> Bounds {
        let room_x = size.width.saturating_sub(self.x).max(MIN_SIDE) as i64;
        let room_y = size.height.saturating_sub(self.y).max(MIN_SIDE) as i64;
        let width = (self.width as i64 + dx).clamp(MIN_SIDE as i64, room_x) as u32;
        let height = (self.height as i64 + dy).clamp(MIN_SIDE as i64, room_y) as u32;
        Bounds { width, height, ..*self }
    }
}

/// The smallest side an area may have: smaller than this is hard to tap on
/// a phone (a 2500-pixel-wide menu is drawn about 400 points wide).
pub const MIN_SIDE: u32 = 60;

/// What is wrong with a menu's areas, each naming the area (0-based) it is
/// about; `TooMany` names none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AreaProblem {
    /// More areas than LINE's 20.
    TooMany,
    /// Narrower or lower than `MIN_SIDE`.
    TooSmall(usize),
    /// Reaches past the picture's edge.
    OutOfBounds(usize),
    /// Shares pixels with an earlier area (the first index).
    Overlaps(usize, usize),
}

/// Every problem of a menu's areas, in the order the areas are drawn.
pub fn area_problems(size: MenuSize, areas: &[Bounds]) -> Vec<AreaProblem> {
    let mut problems = Vec::new();
    if areas.len() > RICH_MENU_MAX_AREAS {
        problems.push(AreaProblem::TooMany);
    }
    for (i, a) in areas.iter().enumerate() {
        if a.width < MIN_SIDE || a.height < MIN_SIDE {
            problems.push(AreaProblem::TooSmall(i));
        }
        if !a.inside(size) {
            problems.push(AreaProblem::OutOfBounds(i));
        }
        if let Some(j) = areas[..i].iter().position(|b| b.overlaps(a)) {
            problems.push(AreaProblem::Overlaps(j, i));
        }
    }
    problems
}

/// LINE's standard layouts, as its manager app offers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Layout {
    /// `cols` × `rows` equal tiles.
    Grid { cols: u32, rows: u32 },
    /// One wide tile on top, `below` tiles under it.
    WideTop { below: u32 },
    /// One large tile on the left, two stacked on the right.
    LargeLeft,
}

/// The layouts offered for a size: the grids LINE's manager app offers for
/// a large menu (two rows) or a compact one (one row).
pub fn layouts_for(size: MenuSize) -> Vec<Layout> {
    use Layout::*;
    if size.height * 2 > size.width {
        vec![
            Grid { cols: 3, rows: 2 },
            WideTop { below: 3 },
            Grid { cols: 2, rows: 2 },
            WideTop { below: 2 },
            LargeLeft,
            Grid { cols: 2, rows: 1 },
            Grid { cols: 1, rows: 1 },
        ]
    } else {
        vec![
            Grid { cols: 3, rows: 1 },
            Grid { cols: 2, rows: 1 },
            LargeLeft,
            Grid { cols: 1, rows: 1 },
        ]
    }
}

/// Cuts `length` pixels into `parts` runs that cover it exactly (the first
/// runs take the remainder), as (start, length) pairs.
fn cuts(length: u32, parts: u32) -> Vec<(u32, u32)> {
    let parts = parts.max(1);
    let (base, extra) = (length / parts, length % parts);
    let mut at = 0;
    (0..parts)
        .map(|i| {
            let run = base + u32::from(i < extra);
            let cut = (at, run);
            at += run;
            cut
        })
        .collect()
}

impl Layout {
    /// The layout's areas over a picture of `size`: they cover it exactly,
    /// left to right, then top to bottom.
    pub fn areas(self, size: MenuSize) -> Vec<Bounds> {
        let b = |x, y, width, height| Bounds { x, y, width, height };
        match self {
            Layout::Grid { cols, rows } => cuts(size.height, rows)
                .into_iter()
                .flat_map(|(y, h)| cuts(size.width, cols).into_iter().map(move |(x, w)| b(x, y, w, h)))
                .collect(),
            Layout::WideTop { below } => {
                let rows = cuts(size.height, 2);
                let (top, bottom) = (rows[0], rows[1]);
                std::iter::once(b(0, top.0, size.width, top.1))
                    .chain(cuts(size.width, below).into_iter().map(|(x, w)| b(x, bottom.0, w, bottom.1)))
                    .collect()
            }
            Layout::LargeLeft => {
                let cols = cuts(size.width, 3);
                let left = cols[0].1 + cols[1].1;
                let right = (left, cols[2].1);
                let rows = cuts(size.height, 2);
                vec![
                    b(0, 0, left, size.height),
                    b(right.0, rows[0].0, right.1, rows[0].1),
                    b(right.0, rows[1].0, right.1, rows[1].1),
                ]
            }
        }
    }
}

/// The designer's snapping: a coordinate within `reach` pixels of another
/// area's edge (or the picture's) goes to that edge; otherwise to the grid
/// of `step` pixels when within `reach` of it; otherwise it stays.
pub fn snap(value: i64, edges: &[u32], step: u32, reach: u32) -> i64 {
    let nearest_edge = edges
        .iter()
        .map(|&e| e as i64)
        .min_by_key(|e| (e - value).abs())
        .filter(|e| (e - value).abs() <= reach as i64);
    if let Some(e) = nearest_edge {
        return e;
    }
    if step > 0 {
        let step = step as i64;
        let grid = ((value + step / 2).div_euclid(step)) * step;
        if (grid - value).abs() <= reach as i64 {
            return grid;
        }
    }
    value
}

/// The x and y edges of the picture and of every area but `except` (the
/// one being drawn or moved), for `snap`.
pub fn edges(size: MenuSize, areas: &[Bounds], except: Option<usize>) -> (Vec<u32>, Vec<u32>) {
    let mut xs = vec![0, size.width];
    let mut ys = vec![0, size.height];
    for (i, a) in areas.iter().enumerate() {
        if Some(i) != except {
            xs.extend([a.x, a.right()]);
            ys.extend([a.y, a.bottom()]);
        }
    }
    (xs, ys)
}

/// What tapping an area does, in the clinic's terms; the engine turns it
/// into LINE's action when the menu is published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AreaAction {
    /// Opens a web page.
    Link { url: String },
    /// Sends this text as the patient's own message (a keyword reply can
    /// answer it).
    Text { text: String },
    /// A tap only the clinic sees: automations listen for its `data`.
    Postback { data: String },
    /// Shows another tab of the same menu group (0-based position).
    SwitchTab { tab: u32 },
    /// Opens the patient's own booking page.
    Booking,
    /// Calls a telephone number.
    Call { number: String },
}

/// The postback data of a tab switch (then the tab's position): LINE
/// sends it with the switch, and automations may listen for it.
pub const SWITCH_DATA_PREFIX: &str = "yorisoi:tab:";

/// Who a display rule is for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleAudience {
    #[default]
    Everyone,
    /// Staff who linked their own LINE (職員連絡): they are in no segment,
    /// so a staff menu names them this way.
    Staff,
    /// A segment, by its ID.
    Segment { segment: String },
}
/// The postback data of a 予約する area: the clinic answers with the
/// patient's own booking link.
pub const BOOKING_DATA: &str = "yorisoi:booking";

/// Why LINE (or a patient) could not use an area's action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionProblem {
    /// Not an http(s) address LINE opens, or longer than LINE allows.
    BadLink,
    EmptyText,
    TextTooLong,
    /// Not a telephone number (digits, with - or + and spaces).
    BadNumber,
    /// Names a tab the group does not have, or the menu itself.
    NoSuchTab,
}

impl AreaAction {
    /// What is wrong with it in a menu at tab `position` of `tabs` tabs (1
    /// for a menu on its own).
    pub fn problem(&self, position: u32, tabs: u32) -> Option<ActionProblem> {
        use crate::line_limits::{MESSAGE_ACTION_TEXT_MAX, POSTBACK_DATA_MAX, URI_MAX};
        let text = |t: &str, max: usize| {
            if t.trim().is_empty() {
                Some(ActionProblem::EmptyText)
            } else if t.encode_utf16().count() > max {
                Some(ActionProblem::TextTooLong)
            } else {
                None
            }
        };
        match self {
            AreaAction::Link { url } => {
                let web = url.starts_with("https://") || url.starts_with("http://");
                (!web || !crate::message::uri_ok(url) || url.len() > URI_MAX).then_some(ActionProblem::BadLink)
            }
            AreaAction::Text { text: t } => text(t, MESSAGE_ACTION_TEXT_MAX),
            AreaAction::Postback { data } => text(data, POSTBACK_DATA_MAX),
            AreaAction::SwitchTab { tab } => (*tab >= tabs || *tab == position).then_some(ActionProblem::NoSuchTab),
            AreaAction::Booking => None,
            AreaAction::Call { number } => tel_uri(number).is_none().then_some(ActionProblem::BadNumber),
        }
    }
}

/// `tel:` and the number's digits (a leading + kept), or `None` when it is
/// not a telephone number: 2 to 20 digits, written with spaces, hyphens or
/// brackets as people write them (「03-1234-5678」, 「０３（１２３４）５６７８」).
pub fn tel_uri(number: &str) -> Option<String> {
    let mut out = String::from("tel:");
    let mut digits = 0;
    for (i, c) in number.trim().chars().enumerate() {
        // Full-width digits and signs are what a Japanese keyboard often types.
        let c = match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32)?,
            '＋' => '+',
            'ー' | '－' | '−' | '‐' => '-',
            '（' => '(',
            '）' => ')',
            '　' => ' ',
            c => c,
        };
        match c {
            '0'..='9' => {
                digits += 1;
                out.push(c);
            }
            '+' if i == 0 => out.push(c),
            '-' | ' ' | '(' | ')' => {}
            _ => return None,
        }
    }
    (2..=20).contains(&digits).then_some(out)
}

/// One tap area as the clinic designs it: where, what it is called (read
/// out by screen readers, and LINE's action label), and what it does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuArea {
    pub bounds: Bounds,
    pub label: String,
    pub action: AreaAction,
    /// The tile's colour when the designer draws the picture (`#rrggbb`).
    #[serde(default)]
    pub colour: String,
}

/// A menu as designed: everything but its picture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuDesign {
    pub size: MenuSize,
    /// The words on the bar that opens and closes the menu (≤ 14).
    pub chat_bar_text: String,
    /// Whether the menu is open when the chat opens (LINE's `selected`).
    pub opens_by_default: bool,
    pub areas: Vec<MenuArea>,
}

/// One tab of a menu as stored: its design and its picture (an uploaded
/// image's media token; `None` until one is chosen).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuTab {
    pub design: MenuDesign,
    #[serde(default)]
    pub image: Option<String>,
    /// The picture is drawn by the designer from the areas' names and
    /// colours (made again at each publication) instead of uploaded.
    #[serde(default)]
    pub tiles: bool,
}

/// A new menu's first tab: compact, LINE's three-tile grid, each tile
/// still to be named and given an action.
pub fn blank_tab() -> MenuTab {
    MenuTab {
        design: MenuDesign {
            size: COMPACT,
            chat_bar_text: "メニュー".into(),
            opens_by_default: true,
            areas: vec![],
        },
        image: None,
        tiles: true,
    }
}

/// What keeps a design from being published, each naming what it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DesignProblem {
    Size(SizeProblem),
    Area(AreaProblem),
    /// Empty, or longer than LINE's 14 characters.
    ChatBarText,
    /// An area without a name, or one longer than LINE's 20 characters.
    Label(usize),
    Action(usize, ActionProblem),
}

impl MenuDesign {
    /// Every problem, for a menu at tab `position` of `tabs` (1 alone).
    pub fn problems(&self, position: u32, tabs: u32) -> Vec<DesignProblem> {
        use crate::line_limits::{ACTION_LABEL_MAX, RICH_MENU_CHAT_BAR_TEXT_MAX};
        let mut out = Vec::new();
        if let Some(p) = self.size.problem() {
            out.push(DesignProblem::Size(p));
        }
        let bar = self.chat_bar_text.trim();
        if bar.is_empty() || bar.chars().count() > RICH_MENU_CHAT_BAR_TEXT_MAX {
            out.push(DesignProblem::ChatBarText);
        }
        let bounds: Vec<Bounds> = self.areas.iter().map(|a| a.bounds).collect();
        out.extend(area_problems(self.size, &bounds).into_iter().map(DesignProblem::Area));
        for (i, a) in self.areas.iter().enumerate() {
            let label = a.label.trim();
            if label.is_empty() || label.chars().count() > ACTION_LABEL_MAX {
                out.push(DesignProblem::Label(i));
            }
            if let Some(p) = a.action.problem(position, tabs) {
                out.push(DesignProblem::Action(i, p));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(x: u32, y: u32, width: u32, height: u32) -> Bounds {
        Bounds { x, y, width, height }
    }

    #[test]
    fn sizes_are_checked_as_line_checks_them() {
        assert_eq!(LARGE.problem(), None);
        assert_eq!(COMPACT.problem(), None);
        let size = |width, height| MenuSize { width, height }.problem();
        assert_eq!(size(800, 250), None);
        assert_eq!(size(799, 250), Some(SizeProblem::TooNarrow));
        assert_eq!(size(2501, 843), Some(SizeProblem::TooWide));
        assert_eq!(size(1200, 249), Some(SizeProblem::TooLow));
        // 2500 / 1.45 = 1724.1: 1724 is the tallest.
        assert_eq!(MenuSize::max_height(2500), 1724);
        assert_eq!(size(2500, 1724), None);
        assert_eq!(size(2500, 1725), Some(SizeProblem::TooTall));
    }

    #[test]
    fn every_standard_layout_covers_the_picture_exactly_without_overlap() {
        for size in [LARGE, COMPACT, MenuSize { width: 1201, height: 405 }] {
            for layout in layouts_for(size) {
                let areas = layout.areas(size);
                assert!(area_problems(size, &areas).is_empty(), "{layout:?} {size:?}: {areas:?}");
                let covered: u64 = areas.iter().map(|a| a.width as u64 * a.height as u64).sum();
                assert_eq!(covered, size.width as u64 * size.height as u64, "{layout:?} {size:?}");
            }
        }
        assert_eq!(layouts_for(LARGE).len(), 7);
        assert_eq!(layouts_for(COMPACT).len(), 4);
        let six = Layout::Grid { cols: 3, rows: 2 }.areas(LARGE);
        assert_eq!(six[0], b(0, 0, 834, 843));
        assert_eq!(six[2], b(1667, 0, 833, 843));
        assert_eq!(six[5], b(1667, 843, 833, 843));
        let wide = Layout::WideTop { below: 3 }.areas(LARGE);
        assert_eq!(wide[0], b(0, 0, 2500, 843));
        assert_eq!(wide.len(), 4);
    }

    #[test]
    fn overlapping_out_of_bounds_tiny_and_too_many_areas_are_named() {
        let areas = [b(0, 0, 1250, 843), b(1250, 0, 1250, 843)];
        assert!(area_problems(COMPACT, &areas).is_empty(), "touching edges do not overlap");
        let areas = [
            b(0, 0, 1300, 843),
            b(1250, 0, 1250, 843),
            b(2400, 800, 200, 100),
            b(10, 10, 59, 300),
        ];
        assert_eq!(
            area_problems(COMPACT, &areas),
            vec![
                AreaProblem::Overlaps(0, 1),
                AreaProblem::OutOfBounds(2),
                AreaProblem::Overlaps(1, 2),
                AreaProblem::TooSmall(3),
                AreaProblem::Overlaps(0, 3),
            ]
        );
        let many: Vec<Bounds> = (0..21).map(|i| b(i * 100, 0, 100, 100)).collect();
        assert_eq!(area_problems(LARGE, &many), vec![AreaProblem::TooMany]);
        assert!(area_problems(LARGE, &many[..20]).is_empty());
    }

    #[test]
    fn a_drag_draws_an_area_inside_the_picture_whichever_way_it_goes() {
        assert_eq!(Bounds::from_drag((900, 600), (100, 50), COMPACT), b(100, 50, 800, 550));
        assert_eq!(Bounds::from_drag((2400, 700), (2700, 900), COMPACT), b(2400, 700, 100, 143));
        assert_eq!(Bounds::from_drag((-20, -20), (40, 40), COMPACT), b(0, 0, 40, 40));
    }

    #[test]
    fn moving_and_resizing_stop_at_the_edges() {
        let a = b(100, 100, 400, 300);
        assert_eq!(a.moved(10, -1, COMPACT), b(110, 99, 400, 300));
        assert_eq!(a.moved(-500, 0, COMPACT), b(0, 100, 400, 300));
        assert_eq!(a.moved(5000, 5000, COMPACT), b(2100, 543, 400, 300));
        assert_eq!(a.resized(5000, 5000, COMPACT), b(100, 100, 2400, 743));
        assert_eq!(a.resized(-1000, -1000, COMPACT), b(100, 100, MIN_SIDE, MIN_SIDE));
    }

    #[test]
    fn snapping_prefers_another_areas_edge_then_the_grid() {
        let areas = [b(0, 0, 833, 843)];
        let (xs, _) = edges(COMPACT, &areas, None);
        // Near the first area's right edge: onto it, even off the grid.
        assert_eq!(snap(840, &xs, 50, 12), 833);
        // Away from any edge but near the grid.
        assert_eq!(snap(1195, &xs, 50, 12), 1200);
        // Near neither: where it is.
        assert_eq!(snap(1220, &xs, 50, 12), 1220);
        // The picture's edges count.
        assert_eq!(snap(2492, &xs, 0, 12), 2500);
        // The area being moved does not snap to itself.
        let (xs, _) = edges(COMPACT, &areas, Some(0));
        assert_eq!(snap(840, &xs, 0, 12), 840);
    }

    #[test]
    fn a_tap_lands_in_the_area_under_it() {
        let areas = Layout::Grid { cols: 3, rows: 1 }.areas(COMPACT);
        let hit = |x, y| areas.iter().position(|a| a.contains(x, y));
        assert_eq!(hit(0, 0), Some(0));
        assert_eq!(hit(834, 10), Some(1));
        assert_eq!(hit(2499, 842), Some(2));
        assert_eq!(hit(2500, 10), None);
    }

    fn area(x: u32, label: &str, action: AreaAction) -> MenuArea {
        MenuArea {
            bounds: Bounds {
                x,
                y: 0,
                width: 800,
                height: 843,
            },
            label: label.into(),
            action,
            colour: String::new(),
        }
    }

    #[test]
    fn a_design_names_each_problem_by_its_area() {
        let mut d = MenuDesign {
            size: COMPACT,
            chat_bar_text: "メニュー".into(),
            opens_by_default: true,
            areas: vec![
                area(0, "予約する", AreaAction::Booking),
                area(
                    800,
                    "電話",
                    AreaAction::Call {
                        number: "０３－１２３４－５６７８".into(),
                    },
                ),
                area(1600, "次へ", AreaAction::SwitchTab { tab: 1 }),
            ],
        };
        assert_eq!(d.problems(0, 2), vec![]);
        // Alone, the switch has no tab to go to; a tab cannot switch to itself.
        assert_eq!(d.problems(0, 1), vec![DesignProblem::Action(2, ActionProblem::NoSuchTab)]);
        assert_eq!(d.problems(1, 2), vec![DesignProblem::Action(2, ActionProblem::NoSuchTab)]);
        d.chat_bar_text = "とても長いメニューのなまえです".into();
        d.areas[0].label = " ".into();
        d.areas[1].action = AreaAction::Call {
            number: "お電話ください".into(),
        };
        d.areas[2].bounds.x = 1500;
        assert_eq!(
            d.problems(0, 2),
            vec![
                DesignProblem::ChatBarText,
                DesignProblem::Area(AreaProblem::Overlaps(1, 2)),
                DesignProblem::Label(0),
                DesignProblem::Action(1, ActionProblem::BadNumber),
            ]
        );
    }

    #[test]
    fn links_must_be_web_addresses_and_texts_fit_line() {
        let p = |a: AreaAction| a.problem(0, 1);
        assert_eq!(
            p(AreaAction::Link {
                url: "https://sakura.example/access".into()
            }),
            None
        );
        assert_eq!(
            p(AreaAction::Link {
                url: "javascript:alert(1)".into()
            }),
            Some(ActionProblem::BadLink)
        );
        assert_eq!(p(AreaAction::Link { url: "https://a b".into() }), Some(ActionProblem::BadLink));
        assert_eq!(p(AreaAction::Text { text: "  ".into() }), Some(ActionProblem::EmptyText));
        assert_eq!(p(AreaAction::Text { text: "あ".repeat(301) }), Some(ActionProblem::TextTooLong));
        assert_eq!(
            p(AreaAction::Postback {
                data: "menu_access".into()
            }),
            None
        );
        assert_eq!(tel_uri("+81 (3) 1234-5678").as_deref(), Some("tel:+81312345678"));
        assert_eq!(tel_uri("０３（１２３４）５６７８").as_deref(), Some("tel:0312345678"));
        assert_eq!(tel_uri("1"), None);
        assert_eq!(tel_uri("03-1234+5678"), None);
    }
}
