"""report_builder: build a college's 信息公开工作年度报告 from department workbooks."""
