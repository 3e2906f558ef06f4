"""Catalog entries of the import (reader, mapping, typing, integrity, wizard): English and 简体中文.

Merged into `insight.i18n.CATALOG`; kept apart because the import says a lot.
Every error names what is wrong and, in its `.hint`, what to do.
"""

IMPORT_CATALOG: dict[str, tuple[str, str]] = {
    # the file itself
    "import.extension": ("files of type {extension} cannot be imported", "无法导入 {extension} 类型的文件"),
    "import.extension.hint": ("save it as one of {kinds}", "请另存为以下格式之一：{kinds}"),
    "import.not_found": ("no such file", "文件不存在"),
    "import.not_found.hint": (
        "check the path and name, and choose the file itself (not a folder)",
        "请检查路径和文件名，并选择文件本身（而不是文件夹）",
    ),
    "import.is_folder": ("this is a folder, not a file", "这是一个文件夹，不是文件"),
    "import.unreadable_file": ("the file cannot be read (no permission)", "没有读取该文件的权限"),
    "import.unreadable_file.hint": (
        "give this program read access to the file, or copy it somewhere readable",
        "请授予本程序读取权限，或将文件复制到可读取的位置",
    ),
    "import.os_error": ("the file cannot be opened: {reason}", "无法打开文件：{reason}"),
    "import.too_big": (
        "the file is {size} MB, over the {limit} MB limit",
        "文件大小为 {size} MB，超过 {limit} MB 的上限",
    ),
    "import.too_big.hint": (
        "split it into smaller files and import them in append mode",
        "请拆分为较小的文件，并以追加方式依次导入",
    ),
    "import.empty": ("the file is empty", "文件是空的"),
    "import.empty.hint": ("export it again from the source tool", "请从源系统重新导出"),
    "import.no_rows": ("the file has a header but no data rows", "文件只有表头，没有数据行"),
    "import.no_rows_at_all": ("the file has no data rows", "文件没有数据行"),
    "import.no_rows.hint": (
        "check that you exported the data, not only the column titles",
        "请确认导出的是数据，而不只是列标题",
    ),
    "import.zip_as_text": (
        "this is a zip or Excel workbook, not a text file",
        "这是 zip 压缩包或 Excel 工作簿，不是文本文件",
    ),
    "import.zip_as_text.hint": (
        "rename it to .xlsx, or export it from Excel as CSV",
        "请改名为 .xlsx，或在 Excel 中另存为 CSV",
    ),
    "import.binary": ("the file is binary, not text", "这是二进制文件，不是文本"),
    "import.binary.hint": (
        "upload the CSV, Excel, Parquet or JSON export itself",
        "请上传导出的 CSV、Excel、Parquet 或 JSON 文件本身",
    ),
    "import.encoding_unknown": ("the text encoding could not be recognised", "无法识别文本编码"),
    "import.encoding_unknown.hint": (
        "save the file as UTF-8, or choose the encoding by hand (--encoding gb18030, latin-1 …)",
        "请将文件另存为 UTF-8，或手动指定编码（--encoding gb18030、latin-1 等）",
    ),
    "import.encoding_bad_name": ("unknown encoding {encoding}", "未知编码 {encoding}"),
    "import.line_too_long": (
        "line {line} is longer than {size} bytes (the limit is {limit}, MAX_LINE_BYTES)",
        "第 {line} 行超过 {size} 字节（上限 {limit}，MAX_LINE_BYTES）",
    ),
    "import.line_too_long.hint": (
        "the export lost its line ends or a closing quote: export it again as CSV with one record per line",
        "导出文件丢失了换行或右引号：请重新导出为每行一条记录的 CSV",
    ),
    "import.too_many_columns": (
        "the file has {count} columns, over the limit of {limit} (MAX_COLUMNS)",
        "文件有 {count} 列，超过 {limit} 列的上限（MAX_COLUMNS）",
    ),
    "import.too_many_columns.hint": (
        "export only the columns you need (or split the file by columns), then import again",
        "请只导出需要的列（或按列拆分文件）后再导入",
    ),
    "import.unreadable": ("the file could not be read as a table: {reason}", "无法按表格读取该文件：{reason}"),
    "import.unreadable.hint": (
        "check that it is a delimited text export (CSV/TSV), or choose the delimiter and encoding by hand",
        "请确认是带分隔符的文本导出（CSV/TSV），或手动指定分隔符和编码",
    ),
    "import.unreadable_kind": ("the file could not be read as {kind}: {reason}", "无法按 {kind} 读取该文件：{reason}"),
    "import.unreadable_kind.hint": ("check that it is a valid {kind} file", "请确认是有效的 {kind} 文件"),
    "import.open_quote": (
        'a quote (") opened on line {line} is never closed: the rest of the file ({lines} lines) would be one value',
        '第 {line} 行的引号（"）没有闭合：文件其余部分（{lines} 行）会被读成一个值',
    ),
    "import.open_quote.hint": (
        'remove or close that quote (a quote inside a value is written twice: ""), then import again',
        '请删除或补全该引号（值内的引号应写成两个：""），然后重新导入',
    ),
    "import.nothing_readable": (
        "none of the {count} lines could be read; first problem: {reason}",
        "{count} 行均无法读取；第一个问题：{reason}",
    ),
    "import.nothing_readable.hint": (
        "check the delimiter, the encoding and the quotes of the export",
        "请检查导出文件的分隔符、编码和引号",
    ),
    # Excel
    "import.excel_range": (
        "sheet '{sheet}' declares a used range of {range} ({cells} cells), over the limit of {limit} (EXCEL_MAX_CELLS)",
        "工作表“{sheet}”声明的已用区域为 {range}（{cells} 个单元格），超过 {limit} 的上限（EXCEL_MAX_CELLS）",
    ),
    "import.excel_range.hint": (
        "in Excel, delete the empty rows and columns after your data (Ctrl+End shows the last used cell) and save, "
        "or save the sheet as CSV",
        "请在 Excel 中删除数据之后的空行和空列（Ctrl+End 可定位最后一个已用单元格）并保存，或将该表另存为 CSV",
    ),
    "import.excel_unpacked": (
        "the workbook unpacks to {size} MB, over the limit of {limit} MB (EXCEL_MAX_UNPACKED_MB)",
        "该工作簿解压后为 {size} MB，超过 {limit} MB 的上限（EXCEL_MAX_UNPACKED_MB）",
    ),
    "import.excel_failed": (
        "the sheet could not be read within {memory} MB of memory (EXCEL_CHILD_MEMORY_MB)",
        "在 {memory} MB 内存限制内无法读取该工作表（EXCEL_CHILD_MEMORY_MB）",
    ),
    "import.excel_slow": ("reading the sheet took over {seconds} s", "读取该工作表超过 {seconds} 秒"),
    "import.excel_corrupt": ("the workbook could not be opened ({reason})", "无法打开该工作簿（{reason}）"),
    "import.excel.hint": (
        "open it in Excel, delete what is beyond your data and save it again as .xlsx, or save the sheet as CSV",
        "请在 Excel 中打开，删除数据之外的内容后重新保存为 .xlsx，或将该表另存为 CSV",
    ),
    "import.no_sheet": ("the workbook has no sheet '{sheet}'", "该工作簿中没有名为“{sheet}”的工作表"),
    "import.no_sheet.hint": ("choose one of its sheets: {sheets}", "请选择其中一个工作表：{sheets}"),
    # mapping
    "import.unknown_table": ("unknown table {table}", "未知数据表 {table}"),
    "import.unknown_table.hint": (
        "import as one of: customers, orders, tickets, campaigns, contacts",
        "请导入为以下之一：customers、orders、tickets、campaigns、contacts",
    ),
    "import.unknown_mode": ("unknown mode {mode}", "未知导入方式 {mode}"),
    "import.unknown_mode.hint": ("use replace or append", "请使用 replace（替换）或 append（追加）"),
    "import.unknown_column": ("{table} has no column {column}", "{table} 表没有 {column} 列"),
    "import.unknown_column.hint": ("map onto one of: {columns}", "请映射到以下列之一：{columns}"),
    "import.no_source": (
        "the file has no column '{source}' to map onto {column}",
        "文件中没有可映射到 {column} 的列“{source}”",
    ),
    "import.no_source.hint": ("the file's columns are: {columns}", "文件的列为：{columns}"),
    "import.mapped_twice": (
        "column '{source}' is mapped twice, to {first} and to {second}",
        "列“{source}”被重复映射到 {first} 和 {second}",
    ),
    "import.mapped_twice.hint": ("map each source column onto one canonical column", "每个源列只能映射到一个标准列"),
    "import.required_missing": (
        "required column(s) {columns} not mapped to any column of the file",
        "必填列 {columns} 未映射到文件中的任何列",
    ),
    "import.required_missing.hint": ("choose the file's column for {column}", "请为 {column} 选择文件中的列"),
    "import.required_missing.hint.amount": (
        "map amount, or both quantity and unit_price so amount can be derived",
        "请映射 amount（金额），或同时映射 quantity 和 unit_price 以便计算金额",
    ),
    "import.required_missing.hint.created_at": (
        "map the column that holds when the ticket was opened",
        "请映射工单创建（受理）时间所在的列",
    ),
    "import.no_dates": (
        "no date can be read in this column (mapped to {canonical}); examples: {examples}",
        "该列（映射为 {canonical}）中读不出任何日期；示例：{examples}",
    ),
    "import.no_dates.hint": (
        "map another column as the date, or export dates as YYYY-MM-DD",
        "请将另一列映射为日期，或将日期导出为 YYYY-MM-DD 格式",
    ),
    "import.nothing_loaded": (
        "none of the {count} rows could be loaded; first problem: {first}",
        "{count} 行均无法导入；第一个问题：{first}",
    ),
    "import.nothing_loaded.hint": (
        "check the column mapping and the file's formats",
        "请检查字段映射和文件中的数据格式",
    ),
    "import.first_reject": (
        "row {row}, column '{column}', value '{value}': {reason}",
        "第 {row} 行，列“{column}”，值“{value}”：{reason}",
    ),
    "map.template": ("saved mapping for these headers", "该表头的已保存映射"),
    "map.synonym": ("'{header}' is a known name for it", "“{header}”是该列的常用名称"),
    "map.words": ("the header '{header}' names it ({words})", "表头“{header}”中含有 {words}"),
    "map.words_values": ("{words}; {share} of the values fit", "{words}；{share} 的值符合"),
    "map.values": ("from the values of '{header}': {evidence}", "依据“{header}”的取值：{evidence}"),
    "map.evidence.dates": (
        "{share} of {count} values are dates ({family})",
        "{count} 个值中 {share} 是日期（{family}）",
    ),
    "map.evidence.money": ("{share} of {count} values are amounts with cents", "{count} 个值中 {share} 是带小数的金额"),
    "map.evidence.unique": (
        "{distinct} distinct values in {count} rows: a key",
        "{count} 行中有 {distinct} 个不同值：像是主键",
    ),
    "map.evidence.categories": ("{distinct} categories over {count} rows", "{count} 行中共 {distinct} 个类别"),
    "map.none": ("no column looks like it", "没有看起来匹配的列"),
    "map.none_fits": (
        "no column's values look like {column} ({kind}): choose it by hand",
        "没有哪一列的取值像 {column}（{kind}）：请手动选择",
    ),
    "map.ambiguous": (
        "several columns could be {column} ({columns}): choose one — a wrong guess would be worse than none",
        "有多列可能是 {column}（{columns}）：请手动选择一列——猜错比不猜更糟",
    ),
    "map.weak_values": (
        "'{header}' sounds like {column} but only {share} of its values fit: left empty",
        "“{header}”听起来像 {column}，但只有 {share} 的值符合：暂不映射",
    ),
    "map.count_not_id": (
        "'{header}' holds whole numbers {low}–{high}, more like a count than a {column}: left empty "
        "(map it by hand if it is one)",
        "“{header}”是 {low}–{high} 的整数，更像是次数而不是 {column}：暂不映射（如确实是，请手动映射）",
    ),
    "map.how.template": ("saved mapping", "已保存映射"),
    "map.how.synonym": ("synonym", "同义词"),
    "map.how.header": ("header words", "表头词语"),
    "map.how.values": ("values", "取值"),
    "map.how.wide": ("wide file", "宽表"),
    # how a table does without ids it lacks
    "choice.order_per_row": (
        "No order number: each row is one order.",
        "没有订单号：每一行算作一个订单。",
    ),
    "choice.guest_orders": (
        "No customer id: revenue and orders count every row; customer figures (active customers, RFM, churn) "
        "need a customer id.",
        "没有客户编号：收入和订单数计入每一行；客户类指标（活跃客户、RFM、流失）需要客户编号。",
    ),
    "choice.generated_ids": (
        "No customer id: each row is one contact with its own generated id ({file}#row), marked customer_id_generated; "
        "these contacts match no customer.",
        "没有客户编号：每行是一次触达，并生成各自的编号（{file}#行号），标记为 customer_id_generated；"
        "这些触达无法关联到客户。",
    ),
    "choice.generated_ids_wide": (
        "No customer id column: each row of the file is one customer with a generated id ({file}#row), marked "
        "customer_id_generated.",
        "没有客户编号列：文件每行是一位客户，生成编号（{file}#行号），标记为 customer_id_generated。",
    ),
    "choice.one_campaign": (
        "No campaign id: every row belongs to one campaign, named '{name}' (rename it below, or --campaign NAME).",
        "没有活动编号：所有行属于同一个活动，名为“{name}”（可在下方改名，或使用 --campaign NAME）。",
    ),
    # derived values and notes of the report
    "derived.amount": ("amount = quantity × unit_price", "金额 = 数量 × 单价"),
    "derived.created_at": ("created_at = first of {columns}", "created_at = {columns} 中最早的一个"),
    "derived.unpivot": (
        "unpivoted {count} campaign columns ({columns}) of {rows} rows into {contacts} contacts (blank cells: not "
        "contacted); 0/1 columns left out as attributes: {left_out}",
        "已将 {rows} 行中的 {count} 个活动列（{columns}）转置为 {contacts} 条触达记录（空单元格视为未触达）；"
        "未作为活动的 0/1 列保留为属性：{left_out}",
    ),
    "note.no_created_at": (
        "the file has no ticket creation time: created_at stands in as the first response (else resolution) time, "
        "so response and resolution durations cannot be computed; tickets with neither time load without a date",
        "文件中没有工单创建时间：created_at 以首次响应（否则为解决）时间代替，因此无法计算响应和解决时长；"
        "两者都没有的工单将不带日期导入",
    ),
    "note.day_month_ambiguous": (
        "{column}: day and month are ambiguous in every row; read as month/day/year",
        "{column}：每一行的日和月都无法区分；按 月/日/年 读取",
    ),
    "note.decimal_comma": (
        "{column}: numbers are written with a decimal comma (1.234,56): read as 1234.56",
        "{column}：数字使用小数逗号（1.234,56），按 1234.56 读取",
    ),
    "note.duplicate_rows": (
        "{count} rows are exact duplicates of another row in the file (kept)",
        "{count} 行与文件中另一行完全相同（已保留）",
    ),
    "note.already_there.skipped": (
        "{count} rows are already in {table} and were skipped",
        "{count} 行已在 {table} 中，已跳过",
    ),
    "note.already_there.kept": (
        "{count} rows are already in {table} and were kept",
        "{count} 行已在 {table} 中，已保留",
    ),
    "note.superseded": (
        "{count} rows repeat a {column} of a later row ({keys} …): one row per {column}, the last one in the file is "
        "kept",
        "{count} 行的 {column} 与后面的行重复（{keys} 等）：每个 {column} 只保留一行，即文件中最后一行",
    ),
    "note.replaced": (
        "{count} rows of {table} have a {column} this file brings again: the file's rows replace them",
        "{table} 中有 {count} 行的 {column} 在本文件中再次出现：以本文件的行替换",
    ),
    "note.guest_orders": (
        "{count} orders ({share}) have no customer id: they count in revenue and orders, not in customer figures",
        "{count} 个订单（{share}）没有客户编号：计入收入和订单数，不计入客户类指标",
    ),
    "note.control_characters": (
        "{column}: control characters removed from {count} cells",
        "{column}：已从 {count} 个单元格中删除控制字符",
    ),
    "note.blank_rows": ("{count} blank rows skipped", "已跳过 {count} 个空行"),
    "coverage.low": (
        "only {matched} of {total} customer ids in this file ({share}) appear in {table} — e.g. '{ours}' here, "
        "'{theirs}' there: check that both come from the same system; figures that combine them (complaints per "
        "1,000 customers, churn by value tier) will be off",
        "本文件 {total} 个客户编号中只有 {matched} 个（{share}）出现在 {table} 中——"
        "例如本文件为“{ours}”，对方为“{theirs}”："
        "请确认两者来自同一系统；合并计算的指标（每千客户投诉数、按价值等级的流失）将不准确",
    ),
    "coverage.line": (
        "{matched} of {ids} customer ids appear in {table}",
        "{ids} 个客户编号中有 {matched} 个出现在 {table} 中",
    ),
    # per-row reasons ({detail}: the format, limit or encoding in force)
    "reject.missing": ("required value is missing", "必填值缺失"),
    "reject.number": ("not a number", "不是数字"),
    "reject.not_finite": ("not a finite number (NaN or infinity)", "不是有限数值（NaN 或无穷大）"),
    "reject.too_large": ("number beyond ±{detail}", "数值超出 ±{detail}"),
    "reject.date": ("not a date in the column's format ({detail})", "不是该列格式的日期（{detail}）"),
    "reject.date_window": ("date outside the plausible years ({detail})", "日期超出合理年份范围（{detail}）"),
    "reject.bool": (
        "not a yes/no value (Yes/No, Y/N, True/False, 1/0, 是/否)",
        "不是是/否值（Yes/No、Y/N、True/False、1/0、是/否）",
    ),
    "reject.too_many_fields": ("more fields than the header ({detail})", "字段数多于表头（{detail}）"),
    "reject.encoding": ("bytes that are not valid {detail}", "包含不符合 {detail} 编码的字节"),
    "reject.line_too_long": (
        "line of {detail} bytes, over MAX_LINE_BYTES",
        "该行有 {detail} 字节，超过 MAX_LINE_BYTES",
    ),
    "reject.unreadable": ("cannot be read: {detail}", "无法读取：{detail}"),
    # wide response files
    "wide.missing_columns": ("campaign columns not in the file: {columns}", "文件中没有这些活动列：{columns}"),
    "wide.missing_columns.hint": (
        "choose the columns that hold one campaign's responses each",
        "请选择每列对应一个活动响应的列",
    ),
    "wide.no_id_column": ("the file has no column '{column}' for the customer id", "文件中没有客户编号列“{column}”"),
    "wide.id.hint": (
        "choose the customer id column, or none to give each row a generated id",
        "请选择客户编号列，或选择“无”为每行生成编号",
    ),
    # writing
    "write.disk": ("the workspace could not be written: {reason}", "无法写入工作区：{reason}"),
    "write.disk.hint": (
        "free disk space where the workspace lives (or choose another --workspace) and import again; "
        "the previous data is unchanged",
        "请释放工作区所在磁盘的空间（或使用其他 --workspace）后重新导入；原有数据未改变",
    ),
    "write.memory": ("the import ran out of memory (limit {limit})", "导入时内存不足（上限 {limit}）"),
    "write.memory.hint": (
        "split the file, or export fewer columns, and import again; the previous data is unchanged",
        "请拆分文件或减少导出的列后重新导入；原有数据未改变",
    ),
    # CLI
    "cli.unexpected": ("unexpected error, run with --debug for details", "意外错误，请加 --debug 查看详情"),
    "cli.bad_map": ("--map {pair} is not canonical=source", "--map {pair} 不是 标准列=源列 的形式"),
    "cli.bad_map.hint": ('e.g. --map "created_at=Date received"', '例如 --map "created_at=Date received"'),
}
