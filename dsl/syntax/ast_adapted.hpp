#pragma once

#include <boost/fusion/include/adapt_struct.hpp>

#include "dsl/syntax/ast.hpp"

BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::NumberLit, prefix, digits, unit)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::Operation, op, operand)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::Expression, first, rest)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::Unary, op, operand)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::Call, callee, args)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::IfExpr, condition, then_branch, else_branch)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::RoundExpr, mode, value, unit)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::LastBefore, want_date, series, date)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::SeriesProduct, series, after, up_to)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::Aggregate, function, value, among, over, where, order, ties)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::Annotation, keyword, clause, text)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::TypeRef, base, per)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::PlanDecl, title, effective, as_of, shared_inputs, outputs, annotations)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::ImportDecl, path, annotations)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::ScopeDecl, keyword, record, annotations)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::TypeDecl, name, members, annotations)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::ParamValue, value, from)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::ParamDecl, name, type, values, annotations)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::RangeSpec, low, high)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::InputDecl, keyword, name, type, path, range, optional, default_value, annotations)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::SeriesDecl, name, type, path, date_key, value_key, annotations)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::CollectionParent, singular, field)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::CollectionDecl, plural, singular, path, keys, parent, annotations)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::ValueDecl, keyword, name, type, value, range, annotations)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::Bound, kind, value)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::TableRow, bounds, linear, value, value_to)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::TableDecl, name, parameter, parameter_type, result_type, monotone, rows,
                          annotations)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::Expectation, violation, name, record, expected)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::TestDecl, title, inputs, expectations, annotations)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::Allocation, outputs, mode, unit)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::LimitDecl, name, condition, allocation, annotations)
BOOST_FUSION_ADAPT_STRUCT(hoshu::dsl::ast::RequireDecl, name, condition, annotations)
